// A small log-log line chart as SVG text: enough for one plot, no dependency.

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const escapeXml = (text: string): string => text.replace(/[&<>"]/g, (c) => XML_ENTITIES[c] ?? c);

export interface Series {
  label: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  markers?: boolean;
}

export interface LogLogChart {
  title: string;
  xLabel: string;
  yLabel: string;
  xTicks: number[];
  yTicks: number[];
  series: Series[];
  width?: number;
  height?: number;
}

/** Both axes logarithmic (base 10); ticks at the given values. */
export function logLogChart({
  title,
  xLabel,
  yLabel,
  xTicks,
  yTicks,
  series,
  width = 760,
  height = 480,
}: LogLogChart): string {
  const margin = { left: 80, right: 240, top: 48, bottom: 60 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const [xMin, xMax] = [Math.min(...xTicks), Math.max(...xTicks)];
  const [yMin, yMax] = [Math.min(...yTicks), Math.max(...yTicks)];
  const x = (v: number) =>
    margin.left + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW;
  const y = (v: number) =>
    margin.top + plotH - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
  const fmt = (v: number) => (v >= 1e6 ? `${v / 1e6}M` : v >= 1000 ? `${v / 1000}k` : String(v));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${margin.left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );
  for (const t of xTicks) {
    out.push(
      `<line x1="${x(t)}" y1="${margin.top}" x2="${x(t)}" y2="${margin.top + plotH}" stroke="#ddd"/>`,
      `<text x="${x(t)}" y="${margin.top + plotH + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of yTicks) {
    out.push(
      `<line x1="${margin.left}" y1="${y(t)}" x2="${margin.left + plotW}" y2="${y(t)}" stroke="#ddd"/>`,
      `<text x="${margin.left - 8}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 16}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const points = s.points.filter(([px, py]) => px > 0 && py > 0);
    if (points.length === 0) return;
    const path = points
      .map(([px, py], j) => `${j === 0 ? "M" : "L"}${x(px).toFixed(1)},${y(py).toFixed(1)}`)
      .join(" ");
    out.push(
      `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    if (s.markers !== false) {
      for (const [px, py] of points) {
        out.push(`<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
      }
    }
    const ly = margin.top + 12 + i * 20;
    const lx = margin.left + plotW + 16;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      `<text x="${lx + 30}" y="${ly + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
