// Flink's REST API client is shared by the CLI and the editor's host: it lives in runtime/flink/.
export * from '../flink/rest.js';
