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
    if (fault !== null && typeof fault === 'object' && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    else if (fault !== null && !applyFault(ctx, fault, res)) return;
    await handler(req, res);
  };
}

/** Returns true when the handler should still run. */
function applyFault(ctx: SandboxContext, fault: FaultResponse, res: Response): boolean {
  if (typeof fault === 'number') {
    sendGhlError(res, fault, faultMessage(fault));
    return false;
  }
  if (typeof fault === 'object' && 'status' in fault) {
    const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
    sendGhlError(res, fault.status, faultMessage(fault.status, fault.message), headers);
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
  return true; // a delay, already waited out: the handler runs
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

/** GHL's 422s come from class-validator, whose `message` is a list (UnprocessableDTO); others are a string. */
function faultMessage(status: number, message?: string): string | string[] {
  const text = message ?? (status === 429 ? 'Too many requests' : status >= 500 ? 'Internal server error' : 'Injected fault');
  return status === 422 ? [text] : text;
}
