import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { SimulatorEmitter } from '../events.js';
import type { Companion, Peer, Registry } from '../registry.js';

/** Groups of simulated participants (sender keys, metadata queries). */
export class GroupRegistry {
  constructor(
    readonly registry: Registry,
    readonly events: SimulatorEmitter,
  ) {}

  /** Answers `w:g2` iqs. */
  answerIq(
    _iq: BinaryNode,
    _first: BinaryNode | undefined,
    _companion: Companion | undefined,
  ): BinaryNode[] | undefined {
    return undefined;
  }

  /** Stores a sender key a device distributed to `peer`. */
  processDistribution(
    _group: string,
    _peer: Peer,
    _companion: Companion,
    _item: proto.Message.ISenderKeyDistributionMessage,
  ): void {}

  /** Decrypts a device's `skmsg` as each participant that holds its sender key. */
  async decryptGroupMessage(
    _group: string,
    _companion: Companion,
    _ciphertext: Buffer,
  ): Promise<Array<[Peer, proto.IMessage]>> {
    return [];
  }
}
