import { type DocumentType, type Session, TERMINAL_STATUSES } from '../api';
import { type CaptureStep, captureAfter, capturePlan, submittedDocumentType } from './capture-plan';
import { outcomeOf } from './outcome';
import type { PageError } from './page-error';

/**
 * The page's state machine: which screen shows, for which session. Every view transition is one case of
 * `flowReducer`, a pure function; the App component only performs the requests and dispatches their results.
 */

export type View =
  | { kind: 'loading' }
  | { kind: 'error'; error: PageError }
  | { kind: 'welcome' }
  | { kind: 'consent' }
  | { kind: 'consentDeclined' }
  | { kind: 'testMode' }
  | { kind: 'capture'; step: CaptureStep }
  /** Every capture is uploaded: the attempt is being submitted with this document type. */
  | { kind: 'submitting'; documentType: DocumentType | null }
  | { kind: 'processing' }
  | { kind: 'result' }
  | { kind: 'handoff' };

export interface FlowState {
  session: Session | null;
  view: View;
  /** The document type the applicant chose; null until then (the flow's first type applies). */
  documentType: DocumentType | null;
  /** The applicant switched to file upload for one document side: offer it straight away for the other. */
  documentByUpload: boolean;
}

/**
 * How a freshly read session was reached: `open` (the link was opened, or re-read after an error), `update`
 * (an answer during the flow), `retry` (the applicant asked for a new attempt after a retryable decline).
 */
export type SessionEntry = 'open' | 'update' | 'retry';

export type FlowAction =
  | { type: 'loading' }
  | { type: 'failed'; error: PageError }
  | { type: 'sessionRead'; session: Session; entry: SessionEntry }
  | { type: 'consentDeclined'; session: Session }
  | { type: 'consentOpened' }
  | { type: 'handoffOpened' }
  | { type: 'documentTypeChosen'; documentType: DocumentType }
  | { type: 'captured'; step: CaptureStep }
  | { type: 'uploadPreferred' }
  | { type: 'submitted'; session: Session }
  | { type: 'capturesMissing' };

export const initialFlowState: FlowState = {
  session: null,
  view: { kind: 'loading' },
  documentType: null,
  documentByUpload: false,
};

/** The page's only view transition function. */
export function flowReducer(state: FlowState, action: FlowAction): FlowState {
  switch (action.type) {
    case 'loading':
      return { ...state, view: { kind: 'loading' } };
    case 'failed':
      return { ...state, view: { kind: 'error', error: action.error } };
    case 'sessionRead':
      return {
        ...state,
        session: action.session,
        view: viewForSession(action.session, state.documentType, action.entry),
      };
    case 'consentDeclined':
      return { ...state, session: action.session, view: { kind: 'consentDeclined' } };
    case 'consentOpened':
      return { ...state, view: { kind: 'consent' } };
    case 'handoffOpened':
      return { ...state, view: { kind: 'handoff' } };
    case 'documentTypeChosen':
      return nextCapture({ ...state, documentType: action.documentType }, 'documentType');
    case 'captured':
      return nextCapture(state, action.step);
    case 'uploadPreferred':
      return { ...state, documentByUpload: true };
    case 'submitted':
      return { ...state, session: action.session, view: { kind: 'processing' } };
    case 'capturesMissing': {
      // The server lacks a capture (an upload expired, say): start the attempt's captures again.
      if (!state.session) return state;
      const first = capturePlan(state.session, state.documentType)[0];
      return { ...state, view: first ? { kind: 'capture', step: first } : { kind: 'error', error: 'generic' } };
    }
  }
}

/** Chooses the view for a freshly read session. */
export function viewForSession(session: Session, documentType: DocumentType | null, entry: SessionEntry): View {
  if (session.status === 'expired') return { kind: 'error', error: 'expired' };
  if (session.status === 'in_progress') return { kind: 'processing' };
  // Opening a link whose verification already ended: say so plainly (the integrator has the outcome).
  if (entry === 'open' && TERMINAL_STATUSES.has(session.status)) return { kind: 'error', error: 'finished' };
  if (session.status === 'declined' && session.reasonCodes.includes('CONSENT_DECLINED'))
    return { kind: 'consentDeclined' };
  // After "try again" the applicant has read the last attempt's decline: go straight to the new attempt.
  const newAttempt = entry === 'retry' && session.status === 'pending';
  if (!newAttempt && outcomeOf(session)) return { kind: 'result' };
  if (!session.consent.given) return { kind: entry === 'open' ? 'welcome' : 'consent' };
  if (session.mode === 'test') return { kind: 'testMode' };
  return firstCapture(session, documentType);
}

function firstCapture(session: Session, documentType: DocumentType | null): View {
  const first = capturePlan(session, documentType)[0];
  return first
    ? { kind: 'capture', step: first }
    : { kind: 'submitting', documentType: submittedDocumentType(session, documentType) };
}

function nextCapture(state: FlowState, after: CaptureStep): FlowState {
  if (!state.session) return state;
  const next = captureAfter(capturePlan(state.session, state.documentType), after);
  const view: View = next
    ? { kind: 'capture', step: next }
    : { kind: 'submitting', documentType: submittedDocumentType(state.session, state.documentType) };
  return { ...state, view };
}
