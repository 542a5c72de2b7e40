import { type DeclineType, REVIEW_DECISIONS } from '../../functions/domain/model';
import type { ReviewDecision } from './api-types';

/**
 * The review decision form's rules, as pure functions: what the reviewer must give, and the request body
 * (`POST /verifications/{id}/review`). The server validates again with the same schema.
 */

export interface ReviewForm {
  decision: (typeof REVIEW_DECISIONS)[number] | '';
  declineType: DeclineType;
  /** Codes the reviewer picks; empty keeps the automated codes that led to review. */
  reasonCodes: string[];
  note: string;
}

/** The decisions a reviewer may give (the radio buttons, in this order). */
export { REVIEW_DECISIONS };

export const EMPTY_REVIEW_FORM: ReviewForm = { decision: '', declineType: 'final', reasonCodes: [], note: '' };

export type ReviewFormErrors = Partial<Record<'decision' | 'note', 'required' | 'tooLong'>>;

export const MAX_NOTE_LENGTH = 2000;

export function validateReviewForm(form: ReviewForm): ReviewFormErrors {
  const errors: ReviewFormErrors = {};
  if (!form.decision) errors.decision = 'required';
  const note = form.note.trim();
  if (!note) errors.note = 'required';
  else if (note.length > MAX_NOTE_LENGTH) errors.note = 'tooLong';
  return errors;
}

/** The request body, or null while the form is incomplete. Decline type and codes only where they apply. */
export function reviewBodyOf(form: ReviewForm): ReviewDecision | null {
  if (Object.keys(validateReviewForm(form)).length > 0 || !form.decision) return null;
  return {
    decision: form.decision,
    ...(form.decision === 'declined' ? { declineType: form.declineType } : {}),
    ...(form.reasonCodes.length > 0 ? { reasonCodes: [...new Set(form.reasonCodes)] } : {}),
    note: form.note.trim(),
  } as ReviewDecision;
}

/** Toggles one code in the selection (checkbox list). */
export function toggleCode(codes: readonly string[], code: string, on: boolean): string[] {
  return on ? [...new Set([...codes, code])] : codes.filter((c) => c !== code);
}
