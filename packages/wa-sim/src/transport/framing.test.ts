import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from './framing.js';

const intro = Buffer.from([0x57, 0x41, 6, 3]);

describe('FrameDecoder', () => {
  it('reads the intro, then frames split across and packed into chunks', () => {
    const decoder = new FrameDecoder();
    const stream = Buffer.concat([intro, encodeFrame(Buffer.from('abc')), encodeFrame(Buffer.from('hello'))]);
    expect(decoder.push(stream.subarray(0, 5))).toEqual([]);
    expect(decoder.dictVersion).toBe(3);
    expect(decoder.push(stream.subarray(5, 10)).map(String)).toEqual(['abc']);
    expect(decoder.push(stream.subarray(10)).map(String)).toEqual(['hello']);
  });

  it('skips an ED routing header and keeps its routing info', () => {
    const decoder = new FrameDecoder();
    const routing = Buffer.from([1, 2, 3]);
    const header = Buffer.concat([Buffer.from([0x45, 0x44, 0, 1, 0, 0, 3]), routing]);
    const frames = decoder.push(Buffer.concat([header, intro, encodeFrame(Buffer.from('x'))]));
    expect(frames.map(String)).toEqual(['x']);
    expect(decoder.routingInfo).toEqual(routing);
    expect(decoder.prologue).toEqual(intro);
  });

  it('encodes a 3-byte big-endian length prefix', () => {
    const frame = encodeFrame(Buffer.alloc(70_000));
    expect([...frame.subarray(0, 3)]).toEqual([0x01, 0x11, 0x70]);
    expect(frame.length).toBe(70_003);
  });

  it('rejects a stream that does not start with the WA intro', () => {
    expect(() => new FrameDecoder().push(Buffer.from('GET / HTTP/1.1'))).toThrow('invalid connection intro');
  });
});
