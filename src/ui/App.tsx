import { SystemCheck } from './SystemCheck';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>raftlab</h1>
        <p className="tagline">An etcd-style Raft cluster in your browser tab.</p>
      </header>
      <main>
        <section className="card" aria-labelledby="about-title">
          <h2 id="about-title">What is coming here</h2>
          <p>
            Each node runs Raft and an etcd v3 MVCC store in its own Web Worker, with IndexedDB as
            its disk. A deterministic conductor owns time and the network, so you can step through
            an election message by message, cut links, crash nodes, and share the exact run as a
            link. The cluster view lands with the playground; this page checks that your browser has
            what it needs.
          </p>
        </section>
        <SystemCheck />
      </main>
    </div>
  );
}
