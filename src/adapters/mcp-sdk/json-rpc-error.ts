/** A JSON-RPC error as an HTTP response; no SDK import, so the HTTP layer can answer before the SDK loads. */
export function rpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}
