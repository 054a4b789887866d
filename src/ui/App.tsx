import { SystemCheck } from './SystemCheck';
import { Playground } from './playground/Playground';

/** The playground; `?system-check` shows what the browser gives raftlab instead. */
export function App() {
  if (new URLSearchParams(window.location.search).has('system-check')) {
    return (
      <div className="app">
        <header className="app-header">
          <h1>raftlab</h1>
          <p className="tagline">System check</p>
        </header>
        <main>
          <SystemCheck />
        </main>
      </div>
    );
  }
  return <Playground />;
}
