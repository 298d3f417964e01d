/** Maximum payload length a 3-byte length prefix can carry. */
export const MAX_FRAME_LENGTH = 0xffffff;

/** Encodes one frame: 3-byte big-endian length followed by the payload. */
export const encodeFrame = (payload: Uint8Array): Buffer => {
  if (payload.length > MAX_FRAME_LENGTH) throw new RangeError(`frame too large: ${payload.length} bytes`);
  const frame = Buffer.alloc(3 + payload.length);
  frame.writeUIntBE(payload.length, 0, 3);
  frame.set(payload, 3);
  return frame;
};

/**
 * Splits the client byte stream into frames. The first bytes of a connection carry the
 * optional `ED` routing header and the 4-byte `WA` intro; WebSocket messages may hold
 * several or partial frames, so data is buffered on the length prefix.
 */
export class FrameDecoder {
  private buffer = Buffer.alloc(0);
  private introDone = false;
  /** The 4-byte intro (`'W','A',6,dictVersion`) once received. */
  prologue: Buffer | undefined;
  /** Routing info sent in an `ED` header, if any. */
  routingInfo: Buffer | undefined;

  /** Appends received bytes and returns every complete frame payload. */
  push(data: Uint8Array): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : Buffer.from(data);
    if (!this.introDone && !this.readIntro()) return [];
    const frames: Buffer[] = [];
    while (this.buffer.length >= 3) {
      const length = this.buffer.readUIntBE(0, 3);
      if (this.buffer.length < 3 + length) break;
      frames.push(Buffer.from(this.buffer.subarray(3, 3 + length)));
      this.buffer = this.buffer.subarray(3 + length);
    }
    return frames;
  }

  /** Dictionary version announced in the intro (3 for Baileys 7.x). */
  get dictVersion(): number | undefined {
    return this.prologue?.[3];
  }

  private readIntro(): boolean {
    let offset = 0;
    if (this.buffer[0] === 0x45 && this.buffer[1] === 0x44) {
      if (this.buffer.length < 7) return false;
      const routingLength = this.buffer.readUIntBE(4, 3);
      if (this.buffer.length < 7 + routingLength) return false;
      this.routingInfo = Buffer.from(this.buffer.subarray(7, 7 + routingLength));
      offset = 7 + routingLength;
    }
    if (this.buffer.length < offset + 4) return false;
    const prologue = this.buffer.subarray(offset, offset + 4);
    if (prologue[0] !== 0x57 || prologue[1] !== 0x41) throw new Error('invalid connection intro');
    this.prologue = Buffer.from(prologue);
    this.buffer = this.buffer.subarray(offset + 4);
    this.introDone = true;
    return true;
  }
}
