import { Curve, proto } from '@whiskeysockets/baileys';

/** A Curve25519 key pair with raw 32-byte keys, as Baileys' `Curve` produces. */
export interface RawKeyPair {
  public: Buffer;
  private: Buffer;
}

/** Generates a Curve25519 key pair with raw 32-byte Buffers. */
export const generateKeyPair = (): RawKeyPair => {
  const pair = Curve.generateKeyPair();
  return { public: Buffer.from(pair.public), private: Buffer.from(pair.private) };
};

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * Builds a Noise `CertChain`: an intermediate certificate (issuer serial 0) signed by
 * `root`, and a leaf certifying `serverStaticPublic` signed by the intermediate.
 */
export const createCertChain = (root: RawKeyPair, serverStaticPublic: Uint8Array): Uint8Array => {
  const intermediate = generateKeyPair();
  const notBefore = Math.floor(Date.now() / 1000) - 3600;
  const notAfter = notBefore + YEAR_SECONDS;
  const Details = proto.CertChain.NoiseCertificate.Details;
  const intermediateDetails = Details.encode({
    serial: 1,
    issuerSerial: 0,
    key: intermediate.public,
    notBefore,
    notAfter,
  }).finish();
  const leafDetails = Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: serverStaticPublic,
    notBefore,
    notAfter,
  }).finish();
  return proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: Curve.sign(root.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
  }).finish();
};
