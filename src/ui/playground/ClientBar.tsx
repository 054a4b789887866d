import { useState } from 'react';
import { act } from './actions';
import { shellWord } from '../../etcdctl/parse';
import { runLine } from './console';
import { clientTargets, NodeSelect } from './panels';
import { usePlayground } from './store';

/**
 * Put a key, get a key (linearizable or serializable), or watch it, against a chosen node. Watch
 * runs `etcdctl watch <key>` in the console, where its events stream.
 */
export function ClientBar() {
  const session = usePlayground((s) => s.session);
  const quick = usePlayground((s) => s.quick);
  usePlayground((s) => s.tick);
  const [node, setNode] = useState(1);
  const [key, setKey] = useState('greeting');
  const [value, setValue] = useState('hello');
  const ids = clientTargets(session);
  return (
    <section className="panel" aria-labelledby="client-title">
      <h2 id="client-title">Client</h2>
      <form className="client" onSubmit={(e) => e.preventDefault()}>
        <NodeSelect ids={ids} value={node} onChange={setNode} />
        <label>
          Key <input value={key} onChange={(e) => setKey(e.target.value)} maxLength={256} />
        </label>
        <label>
          Value <input value={value} onChange={(e) => setValue(e.target.value)} maxLength={1024} />
        </label>
        <div className="buttons">
          <button
            type="button"
            disabled={!session || key === ''}
            onClick={() => void act({ kind: 'put', node, key, value })}
          >
            Put
          </button>
          <button
            type="button"
            disabled={!session || key === ''}
            onClick={() => void act({ kind: 'get', node, key })}
          >
            Get
          </button>
          <button
            type="button"
            disabled={!session || key === ''}
            onClick={() => void act({ kind: 'get', node, key, serializable: true })}
          >
            Get (serializable)
          </button>
          <button
            type="button"
            disabled={!session || key === ''}
            onClick={() => {
              usePlayground.getState().set({
                quick: {
                  ok: true,
                  text: `watching ${key} on n${node}: its events print in the Console`,
                },
              });
              void runLine(node, `watch ${shellWord(key)}`);
            }}
          >
            Watch
          </button>
        </div>
      </form>
      <p
        className={quick?.ok === false ? 'answer error' : 'answer'}
        data-testid="client-answer"
        aria-live="polite"
      >
        {quick?.text ?? ''}
      </p>
    </section>
  );
}
