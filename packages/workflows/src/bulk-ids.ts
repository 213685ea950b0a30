/**
 * A bulk's promise ids, under the project's prefix: `<prefix>/_bulk/<bulkId>` for its workflow
 * and `<prefix>/_bulk/<bulkId>/cancel` for a cancel request. A record id cannot start with '_',
 * so neither can be mistaken for a record's deletion attempt.
 */
export class BulkIds {
  constructor(readonly prefix: string) {}

  of(bulkId: string): string {
    return `${this.prefix}/_bulk/${bulkId}`;
  }

  cancelOf(bulkId: string): string {
    return `${this.of(bulkId)}/cancel`;
  }
}
