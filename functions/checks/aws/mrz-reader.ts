/**
 * The MRZ OCR engine the AWS provider can use before paying for Textract. The runtime wires an
 * implementation (the local PaddleOCR engine in functions/checks/local/); this module only states
 * the contract so the AWS provider does not import the local engine.
 */

/** Raw MRZ text lines as the OCR read them (2 lines for TD2/TD3, 3 for TD1), top to bottom. */
export interface MrzRead {
  lines: string[];
  /** Mean OCR confidence 0-1 when the engine reports one. */
  confidence: number | null;
}

/**
 * Reads the machine-readable zone of a document image; resolves null when no MRZ is found.
 * Check digits are validated by the caller (functions/domain/mrz.ts), not by the reader.
 */
export type MrzReader = (image: Buffer) => Promise<MrzRead | null>;
