import {
  type BinaryNode,
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  makeNoiseHandler,
  NOISE_WA_HEADER,
  proto,
  WA_CERT_DETAILS,
} from '@whiskeysockets/baileys';
import { curve } from 'libsignal';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { trustSimulatorRoot } from '../trust.js';
import { signalPub } from '../util.js';
import { createCertChain, generateKeyPair } from './cert-chain.js';
import { encodeFrame, FrameDecoder } from './framing.js';
import { NoiseResponder } from './noise-responder.js';

const logger = pino({ level: 'silent' });
const root = generateKeyPair();
const serverStatic = generateKeyPair();
const restore = trustSimulatorRoot(root.public);
afterAll(() => restore());

describe('NoiseResponder against Baileys’ client noise handler', () => {
  it('completes XX, reveals the client static key and payload, then carries nodes both ways', async () => {
    const responder = new NoiseResponder(serverStatic, createCertChain(root, serverStatic.public));
    const decoder = new FrameDecoder();
    const ephemeral = Curve.generateKeyPair();
    const noiseKey = Curve.generateKeyPair();
    const client = makeNoiseHandler({ keyPair: ephemeral, NOISE_HEADER: NOISE_WA_HEADER, logger });

    const hello = proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish();
    const [helloFrame] = decoder.push(client.encodeFrame(hello));
    const serverHello = responder.respondToHello(decoder.prologue!, helloFrame!);
    const keyEnc = client.processHandshake(proto.HandshakeMessage.decode(serverHello), noiseKey);
    const payload = client.encrypt(proto.ClientPayload.encode({ username: 15550001111, device: 3 }).finish());
    const finishBytes = proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload } }).finish();
    const [finishFrame] = decoder.push(client.encodeFrame(finishBytes));
    const finish = responder.finish(finishFrame!);
    await client.finishInit();

    expect(finish.clientStatic.equals(Buffer.from(noiseKey.public))).toBe(true);
    expect(Number(finish.payload.username)).toBe(15550001111);
    expect(finish.payload.device).toBe(3);

    const up: BinaryNode = { tag: 'iq', attrs: { id: '1', xmlns: 'w:p', type: 'get' }, content: [] };
    const [upFrame] = decoder.push(client.encodeFrame(encodeBinaryNode(up)));
    expect(await decodeBinaryNode(responder.decrypt(upFrame!))).toMatchObject({ tag: 'iq', attrs: up.attrs });

    const down: BinaryNode = { tag: 'success', attrs: { t: '1' } };
    const received: BinaryNode[] = [];
    await client.decodeFrame(encodeFrame(responder.encrypt(encodeBinaryNode(down))), (node) =>
      received.push(node as BinaryNode),
    );
    expect(received).toEqual([{ tag: 'success', attrs: { t: '1' }, content: undefined }]);
  });

  it('signs the intermediate with the simulator root and the leaf with the intermediate', () => {
    const chain = proto.CertChain.decode(createCertChain(root, serverStatic.public));
    const Details = proto.CertChain.NoiseCertificate.Details;
    const intermediate = Details.decode(chain.intermediate!.details!);
    const leaf = Details.decode(chain.leaf!.details!);
    const verify = (key: Uint8Array, cert: proto.CertChain.INoiseCertificate) =>
      curve.verifySignature(signalPub(key), cert.details!, cert.signature!);
    expect(intermediate.issuerSerial).toBe(WA_CERT_DETAILS.SERIAL);
    expect(Buffer.from(leaf.key!).equals(serverStatic.public)).toBe(true);
    expect(verify(root.public, chain.intermediate!)).toBe(true);
    expect(verify(generateKeyPair().public, chain.intermediate!)).toBe(false);
    expect(verify(intermediate.key!, chain.leaf!)).toBe(true);
  });
});
