import {
  CreateCollectionCommand,
  DeleteFacesCommand,
  IndexFacesCommand,
  type IndexFacesCommandOutput,
  ListFacesCommand,
  SearchFacesByImageCommand,
  type SearchFacesByImageCommandOutput,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import type { ImageInput } from '../../ports/checks';
import { isAwsError } from './call-log';
import { toRekognitionImage } from './images';

/**
 * Duplicate-face search over Rekognition collections.
 *
 * Layout: ONE COLLECTION PER ORGANISATION, named `${collectionPrefix}-${orgId}`, with
 * ExternalImageId = verificationId. A per-org collection keeps tenants apart by construction (a search
 * can never return, or be crowded out by, another organisation's faces), lets an organisation be erased
 * with one DeleteCollection, and keeps ExternalImageId a plain verification id. Collections are created
 * on first IndexFaces. Rekognition stores feature vectors, not images, billed per face per month.
 */

export interface FaceCollectionOptions {
  /** Prefix of the per-org collection ids ([a-zA-Z0-9_.-]). */
  collectionPrefix: string;
  /** SearchFacesByImage FaceMatchThreshold (0-100). */
  duplicateMinSimilarity: number;
  /** Max matches returned per search. */
  maxMatches: number;
}

export interface DuplicateFaceMatch {
  verificationId: string;
  faceId: string;
  similarity: number;
}

export interface FaceCollection {
  collectionIdFor(orgId: string): string;
  /** Indexes the largest face (MaxFaces 1, QualityFilter AUTO); resolves the FaceId, or null if no face passed the filter. */
  indexFace(orgId: string, verificationId: string, image: ImageInput): Promise<{ faceId: string | null }>;
  /** Other verifications of the org whose indexed face matches the image's largest face, best first. */
  searchDuplicates(
    orgId: string,
    image: ImageInput,
    opts?: { excludeVerificationId?: string },
  ): Promise<DuplicateFaceMatch[]>;
  /**
   * Retention: deletes faces by id (stored from indexFace) or, when only the verification id is known,
   * by scanning the org's collection for that ExternalImageId. Resolves the number of faces deleted.
   */
  deleteFaces(orgId: string, target: { faceIds: string[] } | { verificationId: string }): Promise<number>;
}

/** Rekognition caps DeleteFaces at 4096 ids per call. */
const DELETE_BATCH = 4096;

export function createFaceCollection(rekognition: RekognitionClient, options: FaceCollectionOptions): FaceCollection {
  const collectionIdFor = (orgId: string) => `${options.collectionPrefix}-${orgId}`.replace(/[^a-zA-Z0-9_.-]/g, '_');

  async function ensureCollection(collectionId: string): Promise<void> {
    try {
      await rekognition.send(new CreateCollectionCommand({ CollectionId: collectionId }));
    } catch (err) {
      if (!isAwsError(err, 'ResourceAlreadyExistsException')) throw err; // a concurrent step created it
    }
  }

  async function faceIdsOf(collectionId: string, verificationId: string): Promise<string[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await rekognition.send(
        new ListFacesCommand({ CollectionId: collectionId, MaxResults: 4096, NextToken: nextToken }),
      );
      for (const face of page.Faces ?? [])
        if (face.ExternalImageId === verificationId && face.FaceId) ids.push(face.FaceId);
      nextToken = page.NextToken;
    } while (nextToken);
    return ids;
  }

  return {
    collectionIdFor,

    async indexFace(orgId, verificationId, image) {
      const collectionId = collectionIdFor(orgId);
      const command = new IndexFacesCommand({
        CollectionId: collectionId,
        Image: await toRekognitionImage(image),
        ExternalImageId: verificationId,
        MaxFaces: 1,
        QualityFilter: 'AUTO',
      });
      let out: IndexFacesCommandOutput;
      try {
        out = await rekognition.send(command);
      } catch (err) {
        if (!isAwsError(err, 'ResourceNotFoundException')) throw err;
        await ensureCollection(collectionId);
        out = await rekognition.send(command);
      }
      return { faceId: out.FaceRecords?.[0]?.Face?.FaceId ?? null };
    },

    async searchDuplicates(orgId, image, opts = {}) {
      let out: SearchFacesByImageCommandOutput;
      try {
        out = await rekognition.send(
          new SearchFacesByImageCommand({
            CollectionId: collectionIdFor(orgId),
            Image: await toRekognitionImage(image),
            FaceMatchThreshold: options.duplicateMinSimilarity,
            MaxFaces: options.maxMatches,
            // Search even a mediocre selfie: this is a fraud signal, not a gate.
            QualityFilter: 'NONE',
          }),
        );
      } catch (err) {
        // No collection yet (first verification of the org) or no face in the image: nothing to match.
        if (isAwsError(err, 'ResourceNotFoundException', 'InvalidParameterException')) return [];
        throw err;
      }
      const best = new Map<string, DuplicateFaceMatch>();
      for (const match of out.FaceMatches ?? []) {
        const verificationId = match.Face?.ExternalImageId;
        const faceId = match.Face?.FaceId;
        if (!verificationId || !faceId || verificationId === opts.excludeVerificationId) continue;
        const similarity = match.Similarity ?? 0;
        const seen = best.get(verificationId);
        if (!seen || similarity > seen.similarity) best.set(verificationId, { verificationId, faceId, similarity });
      }
      return [...best.values()].sort((a, b) => b.similarity - a.similarity);
    },

    async deleteFaces(orgId, target) {
      const collectionId = collectionIdFor(orgId);
      let faceIds: string[];
      try {
        faceIds = 'faceIds' in target ? target.faceIds : await faceIdsOf(collectionId, target.verificationId);
      } catch (err) {
        if (isAwsError(err, 'ResourceNotFoundException')) return 0;
        throw err;
      }
      let deleted = 0;
      for (let i = 0; i < faceIds.length; i += DELETE_BATCH) {
        try {
          const out = await rekognition.send(
            new DeleteFacesCommand({ CollectionId: collectionId, FaceIds: faceIds.slice(i, i + DELETE_BATCH) }),
          );
          deleted += out.DeletedFaces?.length ?? 0;
        } catch (err) {
          if (isAwsError(err, 'ResourceNotFoundException')) return deleted; // collection already gone
          throw err;
        }
      }
      return deleted;
    },
  };
}
