import { SpanStatusCode, context, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';

/**
 * Runs `work` inside an active span and ends it: a throw marks the span as an error (by the error's name
 * only: messages can quote what GHL or a customer sent) unless `isError` says it is ordinary control flow.
 */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanOptions & { isError?: (error: unknown) => boolean },
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const { isError = () => true, ...spanOptions } = options;
  return tracer.startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      if (isError(error)) markError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function markError(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.name : 'Error';
  span.setAttribute('error.type', name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: name });
}
