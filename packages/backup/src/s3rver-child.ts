// Runs s3rver (an S3 server on the local file system) in its own process for tests and benches,
// so its request handling does not share the event loop of the client being measured. Started by
// testing.ts: argv = directory, bucket names (comma-separated); prints {"port":N} once listening;
// exits when stdin closes (its parent died or stopped it).
import { createRequire } from 'node:module';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (o: Record<string, unknown>) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
const [directory, buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: (buckets ?? '')
    .split(',')
    .filter(Boolean)
    .map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write(JSON.stringify({ port }) + '\n');
process.stdin.resume();
process.stdin.on('close', () => {
  void server.close().finally(() => process.exit(0));
});
