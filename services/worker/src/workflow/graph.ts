import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import { bookNode } from './nodes/book';
import { collectNode } from './nodes/collect';
import { triageNode } from './nodes/triage';
import { validateNode } from './nodes/validate';
import type { WorkflowPorts } from './ports';
import { ConversationState, type Conversation } from './state';

/** A node that set an outcome has ended the turn; otherwise the flow goes on. */
const endsTurnOr = (next: string) => (s: Conversation) => (s.outcome ? END : next);

/** triage → collect → validate → book, each step able to end the turn with a reply. */
export function buildBookingGraph(ports: WorkflowPorts, checkpointer?: BaseCheckpointSaver) {
  return new StateGraph(ConversationState)
    .addNode('triage', triageNode(ports))
    .addNode('collect', collectNode(ports))
    .addNode('validate', validateNode(ports))
    .addNode('book', bookNode(ports))
    .addEdge(START, 'triage')
    .addConditionalEdges('triage', endsTurnOr('collect'), ['collect', END])
    .addConditionalEdges('collect', endsTurnOr('validate'), ['validate', END])
    .addConditionalEdges('validate', endsTurnOr('book'), ['book', END])
    .addEdge('book', END)
    .compile({ checkpointer });
}

export type BookingGraph = ReturnType<typeof buildBookingGraph>;
