import type { Request, RequestHandler, Response } from 'express';
import type { SandboxContext } from './context';
import type { EndpointName, FaultResponse } from './faults';
import { gatePassed, sendGhlError } from './http';

type Handler = (req: Request, res: Response) => Promise<void> | void;

/**
 * Wraps a GHL route: first takes a planned fault for it, if any, then runs the handler. Faults that come
 * "after the effect" let the handler do its work and swallow its answer.
 */
export function endpoint(ctx: SandboxContext, name: EndpointName, handler: Handler): RequestHandler {
  return async (req, res) => {
    // A path the gate did not recognise must not reach a GHL handler unchecked: treat it as no route.
    if (!gatePassed(res)) return sendGhlError(res, 404, `Cannot ${req.method} ${req.path}`);
    const fault = await ctx.faults.take({ endpoint: name, method: req.method, path: req.path });
    if (fault !== null && !applyFault(ctx, fault, res)) return;
    await handler(req, res);
  };
}

/** Returns true when the handler should still run. */
function applyFault(ctx: SandboxContext, fault: FaultResponse, res: Response): boolean {
  if (typeof fault === 'number') {
    sendGhlError(res, fault, defaultMessage(fault));
    return false;
  }
  if (typeof fault === 'object') {
    const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
    sendGhlError(res, fault.status, fault.message ?? defaultMessage(fault.status), headers);
    return false;
  }
  switch (fault) {
    case 'timeout':
      hold(ctx, res);
      return false;
    case 'drop':
      res.req.socket.destroy();
      return false;
    case 'drop-after-effect':
    case 'timeout-after-effect':
      // Express's res.json() ends in res.send(): replacing it loses the answer after the work is done.
      res.send = (() => {
        if (fault === 'drop-after-effect') res.req.socket.destroy();
        else hold(ctx, res);
        return res;
      }) as Response['send'];
      return true;
  }
}

/**
 * Keeps the request open without answering, then cuts it; a client's own timeout fires first. The timer
 * ends with the socket (the client gave up, or the server closed all connections), so nothing is left behind.
 */
function hold(ctx: SandboxContext, res: Response): void {
  const socket = res.req.socket;
  const timer = setTimeout(() => socket.destroy(), ctx.holdMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Too many requests';
  if (status >= 500) return 'Internal server error';
  return 'Injected fault';
}
