import type { DocumentFields } from '../../domain/model';
import type { SecretMac } from '../../ports/crypto';

/**
 * Identity keys for cross-verification risk signals: HMACs of the document identity (issuing country +
 * document number) and of the person (names + birth date) under a deployment secret ({@link SecretMac}), so the
 * store alone cannot confirm a guessed name + birth date. Only the MACs are stored. The org id is part of the
 * MAC'd text so keys of two organisations never correlate.
 */
export interface IdentityKeys {
  documentKeyHash: string | null;
  personKeyHash: string | null;
}

/** Uppercase ASCII letters/digits separated by single spaces (diacritics and MRZ `<` fillers removed). */
export function normalizeIdentityText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

/** Computes the keys from document fields; a key is null when a field it needs was not read. */
export async function identityKeys(
  mac: SecretMac,
  orgId: string,
  fields: DocumentFields | null,
): Promise<IdentityKeys> {
  if (!fields) return { documentKeyHash: null, personKeyHash: null };
  const country = fields.issuingCountry ? normalizeIdentityText(fields.issuingCountry) : '';
  const number = fields.documentNumber ? normalizeIdentityText(fields.documentNumber).replace(/ /g, '') : '';
  const surname = fields.surname ? normalizeIdentityText(fields.surname) : '';
  const given = fields.givenNames ? normalizeIdentityText(fields.givenNames) : '';
  const birth = fields.birthDate ?? '';
  return {
    documentKeyHash: country && number ? await mac.macHex(`document|${orgId}|${country}|${number}`) : null,
    personKeyHash: surname && birth ? await mac.macHex(`person|${orgId}|${surname}|${given}|${birth}`) : null,
  };
}
