import { END, START, StateGraph, type BaseCheckpointSaver, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { inSpan } from '@wab/shared';
import { workerTracer } from '../tracer';
import { bookNode } from './nodes/book';
import { collectNode } from './nodes/collect';
import { manageNode } from './nodes/manage';
import { triageNode } from './nodes/triage';
import { validateNode } from './nodes/validate';
import type { WorkflowPorts } from './ports';
import { ConversationState, type Conversation } from './state';

/** A node that set an outcome has ended the turn; otherwise the flow goes on. */
const endsTurnOr = (next: string) => (s: Conversation) => (s.outcome ? END : next);

/** Only a booked customer, or one asking to cancel, goes through manage: a first booking's path stays the reference one. */
const managesAppointment = (s: Conversation) => s.booking !== null || s.pendingCancel || s.understanding?.intent === 'cancel';

/** Each node runs in a span of its own (`node <name>`), under the job's span: GHL and model calls nest in it. */
function traced<S, U>(name: string, node: (state: S, config?: LangGraphRunnableConfig) => Promise<U>): (state: S, config?: LangGraphRunnableConfig) => Promise<U> {
  return (state, config) => inSpan(workerTracer(), `node ${name}`, { attributes: { 'langgraph.node': name } }, () => node(state, config));
}

/** triage → manage (a booked appointment's cancel or move) → collect → validate → book, each step able to end the turn with a reply. */
export function buildBookingGraph(ports: WorkflowPorts, checkpointer?: BaseCheckpointSaver) {
  return new StateGraph(ConversationState)
    .addNode('triage', traced('triage', triageNode(ports)))
    .addNode('manage', traced('manage', manageNode(ports)))
    .addNode('collect', traced('collect', collectNode(ports)))
    .addNode('validate', traced('validate', validateNode(ports)))
    .addNode('book', traced('book', bookNode(ports)))
    .addEdge(START, 'triage')
    .addConditionalEdges('triage', (s: Conversation) => (s.outcome ? END : managesAppointment(s) ? 'manage' : 'collect'), ['manage', 'collect', END])
    .addConditionalEdges('manage', endsTurnOr('collect'), ['collect', END])
    .addConditionalEdges('collect', endsTurnOr('validate'), ['validate', END])
    .addConditionalEdges('validate', endsTurnOr('book'), ['book', END])
    .addEdge('book', END)
    .compile({ checkpointer });
}

export type BookingGraph = ReturnType<typeof buildBookingGraph>;
