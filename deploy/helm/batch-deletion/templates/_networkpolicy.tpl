{{/* Egress rules, one per service a pod talks to; an empty peer list would cut it off, so it fails. */}}

{{- define "bd.np.ports" -}}
{{- range . }}
- port: {{ . }}
  protocol: TCP
{{- end -}}
{{- end -}}

{{- define "bd.np.dns" -}}
- to:
    {{- toYaml .Values.networkPolicy.dns.to | nindent 4 }}
  ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{- define "bd.np.kafka" -}}
{{- if .Values.redpanda.enabled }}
- to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/name: redpanda
          app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    {{- include "bd.np.ports" .Values.networkPolicy.kafka.ports | nindent 4 }}
{{- else }}
- to:
    {{- toYaml (required "networkPolicy.kafka.to is empty: name the brokers (pods, namespaces or ipBlocks), or set networkPolicy.enabled false" .Values.networkPolicy.kafka.to) | nindent 4 }}
  ports:
    {{- include "bd.np.ports" .Values.networkPolicy.kafka.ports | nindent 4 }}
{{- end }}
{{- end -}}

{{- define "bd.np.database" -}}
{{- if .Values.postgresql.enabled }}
- to:
    - podSelector:
        matchLabels:
          app.kubernetes.io/name: postgresql
          app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    {{- include "bd.np.ports" .Values.networkPolicy.database.ports | nindent 4 }}
{{- else }}
- to:
    {{- toYaml (required "networkPolicy.database.to is empty: name the database (pods, namespaces or ipBlocks), or set networkPolicy.enabled false" .Values.networkPolicy.database.to) | nindent 4 }}
  ports:
    {{- include "bd.np.ports" .Values.networkPolicy.database.ports | nindent 4 }}
{{- end }}
{{- end -}}

{{- define "bd.np.resonate" -}}
{{- if .Values.resonate.server.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "bd.selectorLabels" (list . "resonate") | nindent 10 }}
  ports:
    - port: {{ .Values.resonate.server.port }}
      protocol: TCP
{{- else }}
- to:
    {{- toYaml (required "networkPolicy.resonate.to is empty: name the Resonate server (pods, namespaces or ipBlocks), or set networkPolicy.enabled false" .Values.networkPolicy.resonate.to) | nindent 4 }}
  ports:
    {{- include "bd.np.ports" .Values.networkPolicy.resonate.ports | nindent 4 }}
{{- end }}
{{- end -}}
