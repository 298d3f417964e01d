import type { ZapgateEvent } from '@zapgate/sdk';
import { SseError } from '@zapgate/sdk';
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { clientFor } from './api.js';

type Listener = (event: ZapgateEvent) => void;
/** `live` while the stream is open; `refused` when the server turned the key down. */
export type LiveState = 'connecting' | 'live' | 'refused';

/**
 * One event stream for the whole page (`GET /v1/events` through the SDK, which reconnects and
 * resumes with `Last-Event-ID`), fanned out to every view that listens. No view polls: views
 * load once and reload when the stream (re)opens, since the server starts a stream at its head.
 */
export class LiveEvents {
  private listeners = new Set<Listener>();
  private stateListeners = new Set<(state: LiveState) => void>();
  private controller = new AbortController();
  state: LiveState = 'connecting';

  constructor(private apiKey: string) {}

  start(): () => void {
    // Every fetch of this client is a stream (re)connect: its answer tells the stream's state.
    const watching: typeof fetch = async (input, init) => {
      this.setState('connecting');
      const response = await fetch(input, init);
      if (response.ok) this.setState('live');
      return response;
    };
    const client = clientFor(this.apiKey, watching);
    void (async () => {
      try {
        for await (const event of client.events.stream({ signal: this.controller.signal })) {
          for (const listener of this.listeners) listener(event);
        }
      } catch (error) {
        if (error instanceof SseError) this.setState('refused');
      }
    })();
    return () => this.controller.abort();
  }

  private setState(state: LiveState) {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
}

export const LiveContext = createContext<LiveEvents | null>(null);

/** Calls `handler` with every event of the page's stream while the component is mounted. */
export function useLiveEvents(handler: Listener) {
  const live = useContext(LiveContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => live?.subscribe((event) => latest.current(event)), [live]);
}

/** The stream's state (for the header), re-rendering when it changes. */
export function useLiveState(): LiveState {
  const live = useContext(LiveContext);
  const [state, setState] = useState<LiveState>(live?.state ?? 'connecting');
  useEffect(() => live?.onState(setState), [live]);
  return state;
}

/**
 * Loads data now and again each time the stream (re)opens, so nothing announced between the
 * load and the stream's start is missed. Returns the data, the error sentence and a reload.
 */
export function useLiveResource<T>(load: () => Promise<T>, deps: unknown[]) {
  const live = useContext(LiveContext);
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = async () => {
    try {
      setData(await loadRef.current());
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    void reload();
    return live?.onState((state) => {
      if (state === 'live') void reload();
    });
  }, [live, ...deps]);
  return { data, setData, error, reload };
}
