// The official JavaScript client (@kubernetes/client-node) against a Navarch server, over TLS with the kubeconfig given
// (client certificate): today's workload kinds with upstream's defaults, the scale subresource, the three patch types,
// errors as Status objects, a watch, an access review. Prints "ok <check>" per check; exits 1 at the first failure.
// Usage: node client-check.mjs KUBECONFIG NAMESPACE
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';

const [kubeconfig, ns] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const batch = kc.makeApiClient(k8s.BatchV1Api);
const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
const patchAs = (type) => k8s.setHeaderOptions('Content-Type', type);
const labels = { app: 'web' };
const template = { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };

async function check(name, body) {
  await body();
  console.log(`ok ${name}`);
}

// The Status a refused request answers with, as the client hands it over.
async function refusal(request) {
  try {
    await request;
  } catch (e) {
    if (!(e instanceof k8s.ApiException)) throw e;
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    return { code: e.code, ...body };
  }
  throw new Error('the request succeeded');
}

await check('namespace', async () => {
  const created = await core.createNamespace({ body: { metadata: { name: ns } } });
  assert.equal(created.status.phase, 'Active');
});

await check('deployment defaults', async () => {
  await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'web', labels }, spec: { replicas: 2, selector: { matchLabels: labels }, template } } });
  const d = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  assert.equal(d.spec.strategy.type, 'RollingUpdate');
  assert.equal(d.spec.strategy.rollingUpdate.maxSurge, '25%');
  assert.equal(d.spec.strategy.rollingUpdate.maxUnavailable, '25%');
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.metadata.generation, 1);
});

await check('scale subresource', async () => {
  await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { spec: { replicas: 5 } } }, patchAs(k8s.PatchStrategy.MergePatch));
  const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns });
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.spec.replicas, 5);
  assert.equal((await apps.readNamespacedDeployment({ name: 'web', namespace: ns })).spec.replicas, 5);
});

await check('strategic merge patch', async () => {
  const body = { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:v2' }] } } } };
  const d = await apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body }, patchAs(k8s.PatchStrategy.StrategicMergePatch));
  assert.deepEqual(d.spec.template.spec.containers.map(c => [c.name, c.image]), [['web', 'nginx:v2']]);
  assert.equal(d.metadata.generation, 3);
});

await check('json patch', async () => {
  const body = [{ op: 'add', path: '/metadata/annotations', value: { note: 'js' } }];
  const d = await apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body }, patchAs(k8s.PatchStrategy.JsonPatch));
  assert.equal(d.metadata.annotations.note, 'js');
});

await check('list by label', async () => {
  await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'other' }, spec: { selector: { matchLabels: { app: 'other' } }, template: { ...template, metadata: { labels: { app: 'other' } } } } } });
  const list = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'app=web' });
  assert.deepEqual(list.items.map(d => d.metadata.name), ['web']);
  assert.ok(list.metadata.resourceVersion);
});

await check('server-side apply', async () => {
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { a: '1' } };
  const cm = await core.patchNamespacedConfigMap({ name: 'applied', namespace: ns, body, fieldManager: 'js-client' }, patchAs(k8s.PatchStrategy.ServerSideApply));
  assert.deepEqual(cm.data, { a: '1' });
  assert.ok(cm.metadata.managedFields.some(f => f.manager === 'js-client' && f.operation === 'Apply'));
});

await check('secret stringData', async () => {
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'creds' }, stringData: { password: 's3cret' } } });
  const s = await core.readNamespacedSecret({ name: 'creds', namespace: ns });
  assert.equal(s.type, 'Opaque');
  assert.equal(Buffer.from(s.data.password, 'base64').toString(), 's3cret');
  assert.equal(s.stringData, undefined);
});

await check('job defaults', async () => {
  const body = { metadata: { name: 'once' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } };
  await batch.createNamespacedJob({ namespace: ns, body });
  const job = await batch.readNamespacedJob({ name: 'once', namespace: ns });
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.parallelism, 1);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  assert.ok(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']);
});

await check('errors are Status objects', async () => {
  const missing = await refusal(apps.readNamespacedDeployment({ name: 'missing', namespace: ns }));
  assert.equal(missing.code, 404);
  assert.equal(missing.reason, 'NotFound');
  assert.equal(missing.message, 'deployments.apps "missing" not found');
  const twice = await refusal(core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'creds' } } }));
  assert.equal(twice.code, 409);
  assert.equal(twice.reason, 'AlreadyExists');
  const invalid = await refusal(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'Not_A_Name' } } }));
  assert.equal(invalid.code, 422);
  assert.equal(invalid.reason, 'Invalid');
  assert.equal(invalid.details.causes[0].field, 'metadata.name');
});

await check('watch', async () => {
  const seen = [];
  let done;
  const finished = new Promise((resolve, reject) => { done = (err) => (err ? reject(err) : resolve()); });
  const request = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, {}, (type, obj) => {
    if (obj.metadata.name !== 'watched') return;
    seen.push(type);
    if (type === 'DELETED') done();
  }, (err) => { if (err && err.name !== 'AbortError') done(err); });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched' }, data: { v: '1' } } });
  await core.replaceNamespacedConfigMap({ name: 'watched', namespace: ns, body: { metadata: { name: 'watched' }, data: { v: '2' } } });
  await core.deleteNamespacedConfigMap({ name: 'watched', namespace: ns });
  const timeout = setTimeout(() => done(new Error(`watch saw only ${seen.join(', ')}`)), 10_000);
  await finished;
  clearTimeout(timeout);
  request.abort();
  assert.deepEqual(seen, ['ADDED', 'MODIFIED', 'DELETED']);
});

await check('self subject access review', async () => {
  const review = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: ns, verb: 'delete', group: 'apps', resource: 'deployments' } } } });
  assert.equal(review.status.allowed, true);
});

await check('delete', async () => {
  await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, propagationPolicy: 'Background' });
  assert.equal((await refusal(apps.readNamespacedDeployment({ name: 'web', namespace: ns }))).code, 404);
  await core.deleteNamespace({ name: ns });
});
