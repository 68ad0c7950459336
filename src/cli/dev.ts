// `npm run dev`: the server from source, restarted by tsx on change.
import { runCli } from './main.js';

process.exitCode = await runCli(['serve', ...process.argv.slice(2)]);
