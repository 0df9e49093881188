// Real provider agents, several in one process (each its own host and account token
// as given): the honest majority beside the adversaries. Each holds one task beyond its
// slots, as a slow volunteer would. argv: URL SLOTS TOKEN...
import { startAgent } from '@anygrid/agent';

const [url, slots, ...tokens] = process.argv.slice(2);
const agents = await Promise.all(
  tokens.map((token, i) =>
    startAgent({
      coordinator: url,
      token,
      slots: Number(slots),
      buffer: 1,
      name: `honest-${i}`,
    }),
  ),
);
console.log(JSON.stringify({ hosts: agents.map((a) => a.hostId) }));
const stop = () =>
  Promise.all(agents.map((a) => a.stop({ graceful: false }))).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
