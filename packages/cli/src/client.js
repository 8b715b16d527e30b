// The admin API as promises and async iterables: what commands call. The gRPC client from
// @cairn/api stays behind this interface, so commands can be run in-process against a fake.
import { status } from '@grpc/grpc-js';
import { adminClient } from '@cairn/api';
import { isGrpcError } from './errors.js';
/** An AdminApi over gRPC; each unary call has the connection's deadline. */
export function grpcAdminApi(conn) {
    const c = adminClient(conn.endpoint, {
        ...(conn.token !== undefined ? { token: conn.token } : {}),
        ...(conn.tlsCa ? { tlsCa: conn.tlsCa } : {}),
    });
    function call(fn, req) {
        return new Promise((resolve, reject) => {
            fn(req, { deadline: Date.now() + conn.timeoutMs }, (err, res) => (err ? reject(err) : resolve(res)));
        });
    }
    return {
        createVolume: (r) => call((a, o, cb) => c.CreateVolume(a, o, cb), r),
        getVolume: (r) => call((a, o, cb) => c.GetVolume(a, o, cb), r),
        listVolumes: () => call((a, o, cb) => c.ListVolumes(a, o, cb), {}),
        updateVolume: (r) => call((a, o, cb) => c.UpdateVolume(a, o, cb), r),
        expandVolume: (r) => call((a, o, cb) => c.ExpandVolume(a, o, cb), r),
        deleteVolume: (r) => call((a, o, cb) => c.DeleteVolume(a, o, cb), r),
        attachVolume: (r) => call((a, o, cb) => c.AttachVolume(a, o, cb), r),
        detachVolume: (r) => call((a, o, cb) => c.DetachVolume(a, o, cb), r),
        salvageVolume: (r) => call((a, o, cb) => c.SalvageVolume(a, o, cb), r),
        listNodes: () => call((a, o, cb) => c.ListNodes(a, o, cb), {}),
        updateNode: (r) => call((a, o, cb) => c.UpdateNode(a, o, cb), r),
        addDisk: (r) => call((a, o, cb) => c.AddDisk(a, o, cb), r),
        updateDisk: (r) => call((a, o, cb) => c.UpdateDisk(a, o, cb), r),
        removeDisk: (r) => call((a, o, cb) => c.RemoveDisk(a, o, cb), r),
        getSettings: (r) => call((a, o, cb) => c.GetSettings(a, o, cb), r),
        updateSettings: (r) => call((a, o, cb) => c.UpdateSettings(a, o, cb), r),
        createSnapshot: (r) => call((a, o, cb) => c.CreateSnapshot(a, o, cb), r),
        listSnapshots: (r) => call((a, o, cb) => c.ListSnapshots(a, o, cb), r),
        deleteSnapshot: (r) => call((a, o, cb) => c.DeleteSnapshot(a, o, cb), r),
        auditState: (r) => call((a, o, cb) => c.AuditState(a, o, cb), r),
        explainVolume: (r) => call((a, o, cb) => c.ExplainVolume(a, o, cb), r),
        verify: () => call((a, o, cb) => c.Verify(a, o, cb), {}),
        getClusterInfo: () => call((a, o, cb) => c.GetClusterInfo(a, o, cb), {}),
        async *watchEvents(r, signal) {
            if (signal?.aborted)
                return;
            const stream = c.WatchEvents(r);
            const onAbort = () => stream.cancel();
            signal?.addEventListener('abort', onAbort, { once: true });
            try {
                for await (const ev of stream)
                    yield ev;
            }
            catch (e) {
                if (signal?.aborted && isGrpcError(e) && e.code === status.CANCELLED)
                    return;
                throw e;
            }
            finally {
                signal?.removeEventListener('abort', onAbort);
                stream.cancel();
            }
        },
        close: () => c.close(),
    };
}
//# sourceMappingURL=client.js.map