import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { Todo } from '../../src/todos/todo.entity.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { signUp, type SignedIn } from '../support/factories.js';

/**
 * Adding a column to todos is the entity, `TodoOut` (with its mapper line) and a migration, and
 * nothing else: every route that answers with a todo, the list included, then carries it. A route
 * written by hand that misses the new field fails here.
 */
describe('todo fields', () => {
  let t: TestApp;
  let ada: SignedIn;
  /** TodoOut's properties as the OpenAPI document publishes them. */
  let documented: string[];
  /** The entity's columns that a plain load reads, under their database names. */
  let columns: string[];

  before(async () => {
    t = await startTestApp();
    ada = await signUp(t.http);
    const doc = (await t.http.get('/openapi.json')).body as { components: { schemas: Record<string, { properties: object }> } };
    documented = Object.keys(doc.components.schemas.TodoOut.properties).sort();
    columns = t.app
      .get(DataSource)
      .getMetadata(Todo)
      .columns.filter((column) => column.isSelect)
      .map((column) => column.databaseName)
      .sort();
  });
  after(() => t.close());

  it('documents every column of the entity in TodoOut, under its column name', () => {
    assert.deepEqual(documented, columns);
  });

  it('answers with exactly those fields on every route that returns a todo, and lists each as it reads on its own', async () => {
    const answers: [string, { status: number; body: Record<string, unknown> }][] = [];
    const created = await t.http.post('/todos').set(ada.auth).send({ title: 'plain' });
    answers.push(['POST /todos', created]);
    const id = created.body.id as number;
    const keyed = () => t.http.post('/todos').set(ada.auth).set('Idempotency-Key', 'k1').send({ title: 'keyed' });
    answers.push(['POST /todos with an Idempotency-Key', await keyed()]);
    answers.push(['POST /todos, its retry', await keyed()]);
    answers.push(['GET /todos/{id}', await t.http.get(`/todos/${id}`).set(ada.auth)]);
    answers.push(['PATCH /todos/{id}', await t.http.patch(`/todos/${id}`).set(ada.auth).send({ completed: true })]);
    answers.push(['PATCH /todos/{id} with nothing to change', await t.http.patch(`/todos/${id}`).set(ada.auth).send({})]);
    const list = await t.http.get('/todos').set(ada.auth);
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 2);
    for (const [i, item] of (list.body as Record<string, unknown>[]).entries())
      answers.push([`GET /todos, item ${i}`, { status: 200, body: item }]);

    for (const [route, { status, body }] of answers) {
      assert.ok(status === 200 || status === 201, `${route}: ${status}`);
      assert.deepEqual(Object.keys(body).sort(), documented, route);
    }
    for (const item of list.body as { id: number }[]) {
      assert.deepEqual(item, (await t.http.get(`/todos/${item.id}`).set(ada.auth)).body, `GET /todos item ${item.id}`);
    }
  });
});
