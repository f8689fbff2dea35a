import { createAuthSession, nextCursor, type SessionOut, type TodoOut } from '@nest-auth-todos/client';

// The API's address: `?api=` (the browser test), else VITE_API_URL, else a local server.
const apiUrl = new URLSearchParams(location.search).get('api') ?? import.meta.env.VITE_API_URL ?? 'http://localhost:3000';
const session = createAuthSession({ baseUrl: apiUrl });
const app = document.querySelector<HTMLElement>('#app')!;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const field = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;

let notice = '';
let cursor: string | undefined;
/** The email last typed into the sign-in form, kept there when the form comes back during a sign-in. */
let signInEmail = '';

/** What a sign-out's `code` tells the user; any other code is shown as it is. */
const SIGNED_OUT: Record<string, string> = {
  signed_out: 'Signed out.',
  inactive_account: 'Signed out: an administrator has deactivated this account.',
};

session.onSignedOut(({ code }) => {
  notice = SIGNED_OUT[code] ?? `Signed out: ${code}.`;
  signInEmail = ''; // not the last user's address for whoever uses this browser next
  showSignIn();
});

function showSignIn(error = '', mfa = false): void {
  app.innerHTML = `
    <h1>Todos</h1>
    <p class="notice" id="notice">${escape(notice)}</p>
    <p class="error" id="auth-error">${escape(error)}</p>
    <form id="signin-form" ${mfa ? 'hidden' : ''}>
      <input name="email" type="email" placeholder="Email" required autocomplete="username" value="${escape(signInEmail)}" />
      <input name="password" type="password" placeholder="Password" required autocomplete="current-password" />
      <button>Sign in</button>
    </form>
    <form id="mfa-form" ${mfa ? '' : 'hidden'}>
      <input name="code" placeholder="Code from your authenticator" required autocomplete="one-time-code" />
      <button>Verify</button>
    </form>
    <h2>New here?</h2>
    <form id="signup-form">
      <input name="email" type="email" placeholder="Email" required />
      <input name="password" type="password" placeholder="Password (8 characters or more)" required autocomplete="new-password" />
      <button>Sign up</button>
    </form>`;
  const signIn = app.querySelector<HTMLFormElement>('#signin-form')!;
  signIn.onsubmit = async (event) => {
    event.preventDefault();
    signInEmail = field(signIn, 'email');
    await finishSignIn(await session.signIn(signInEmail, field(signIn, 'password')));
  };
  const verify = app.querySelector<HTMLFormElement>('#mfa-form')!;
  verify.onsubmit = async (event) => {
    event.preventDefault();
    await finishSignIn(await session.verifyMfa(field(verify, 'code')), true);
  };
  const signUp = app.querySelector<HTMLFormElement>('#signup-form')!;
  signUp.onsubmit = async (event) => {
    event.preventDefault();
    const [email, password] = [field(signUp, 'email'), field(signUp, 'password')];
    const { error } = await session.api.POST('/auth/register', { body: { email, password } });
    if (error) return showSignIn(error.errors?.map((e) => e.message).join('; ') || error.detail);
    await finishSignIn(await session.signIn(email, password));
  };
}

/** What a code step's end tells the user, by the verify's problem `code`; any other end is an expired step. */
const STEP_ENDED: Record<string, string> = {
  inactive_account: 'This account has been deactivated: ask an administrator.',
  invalid_credentials: 'Your password has changed since you entered it: sign in with the new one.',
  mfa_not_enabled: 'Two-step sign-in is now off for this account: enter your password again.',
};

async function finishSignIn(result: Awaited<ReturnType<typeof session.signIn>>, mfa = false): Promise<void> {
  if (result.status === 'signed_in') return showTodos();
  if (result.status === 'mfa_required') return showSignIn('', true);
  // A wrong code keeps the code form while the server still takes the step's mfa_token; once that
  // has expired, run out of attempts or been refused for the account, only the password again helps.
  if (mfa && !session.mfaPending) return showSignIn(STEP_ENDED[result.problem.code] ?? 'Your sign-in expired: enter your password again.');
  showSignIn(result.problem.detail, session.mfaPending);
}

function shell(title: string, body: string): void {
  notice = '';
  app.innerHTML = `
    <nav>
      <button id="show-todos">Todos</button>
      <button id="show-sessions">Devices</button>
      <button id="signout">Sign out</button>
      <button id="signout-all">Sign out everywhere</button>
    </nav>
    <h1>${title}</h1>
    <p class="error" id="error"></p>
    ${body}`;
  app.querySelector<HTMLButtonElement>('#show-todos')!.onclick = () => showTodos();
  app.querySelector<HTMLButtonElement>('#show-sessions')!.onclick = () => showSessions();
  app.querySelector<HTMLButtonElement>('#signout')!.onclick = () => session.signOut();
  app.querySelector<HTMLButtonElement>('#signout-all')!.onclick = () => session.signOutEverywhere();
}

// A request that ended the session has already put the sign-in screen up: nothing to report on.
const fail = (message: string): void => {
  const error = app.querySelector('#error');
  if (error) error.textContent = message;
};

async function showTodos(): Promise<void> {
  shell(
    'Todos',
    `<form id="new-todo"><input name="title" placeholder="What needs doing?" required maxlength="200" /><button>Add</button></form>
     <ul id="todo-list"></ul>
     <button id="load-more" hidden>Load more</button>
     <button id="reload-todos">Reload</button>`,
  );
  const form = app.querySelector<HTMLFormElement>('#new-todo')!;
  form.onsubmit = async (event) => {
    event.preventDefault();
    const { error } = await session.api.POST('/todos', { body: { title: field(form, 'title') } });
    if (error) return fail(error.detail);
    await showTodos();
  };
  app.querySelector<HTMLButtonElement>('#load-more')!.onclick = () => loadTodos(false);
  app.querySelector<HTMLButtonElement>('#reload-todos')!.onclick = () => loadTodos(true);
  await loadTodos(true);
}

/** A page of todos, newest first: the first one, or the next after `cursor` ("load more"). */
async function loadTodos(fromStart: boolean): Promise<void> {
  const list = app.querySelector<HTMLUListElement>('#todo-list');
  if (!list) return;
  const query = { limit: 10, ...(fromStart || !cursor ? {} : { cursor }) };
  const { data, error, response } = await session.api.GET('/todos', { params: { query } });
  if (error || !data) return fail(error?.detail ?? 'Could not load the todos');
  if (fromStart) list.innerHTML = '';
  for (const todo of data) list.append(todoItem(todo));
  cursor = nextCursor(response);
  app.querySelector<HTMLButtonElement>('#load-more')!.hidden = cursor === undefined;
}

function todoItem(todo: TodoOut): HTMLLIElement {
  const item = document.createElement('li');
  item.className = todo.completed ? 'done' : '';
  item.dataset.id = String(todo.id);
  item.innerHTML = `<input type="checkbox" ${todo.completed ? 'checked' : ''} aria-label="Done" /><span>${escape(todo.title)}</span><button>Delete</button>`;
  item.querySelector('input')!.onchange = async (event) => {
    const completed = (event.target as HTMLInputElement).checked;
    const { data, error } = await session.api.PATCH('/todos/{id}', { params: { path: { id: todo.id } }, body: { completed } });
    if (error || !data) return fail(error?.detail ?? 'Could not update');
    item.replaceWith(todoItem(data));
  };
  item.querySelector('button')!.onclick = async () => {
    const { error } = await session.api.DELETE('/todos/{id}', { params: { path: { id: todo.id } } });
    if (error) return fail(error.detail);
    item.remove();
  };
  return item;
}

async function showSessions(): Promise<void> {
  shell('Devices', '<ul id="session-list"></ul>');
  const { data, error } = await session.api.GET('/auth/sessions');
  if (error || !data) return fail(error?.detail ?? 'Could not load the devices');
  const list = app.querySelector<HTMLUListElement>('#session-list')!;
  for (const device of data) list.append(sessionItem(device));
}

function sessionItem(device: SessionOut): HTMLLIElement {
  const item = document.createElement('li');
  const seen = new Date(device.last_used_at).toLocaleString();
  item.innerHTML = `<span>${escape(device.user_agent ?? 'Unknown device')} · ${escape(device.ip ?? '?')} · ${escape(seen)}${device.current ? ' (this device)' : ''}</span><button>Sign out this device</button>`;
  item.querySelector('button')!.onclick = async () => {
    if (device.current) return session.signOut();
    const { error } = await session.api.DELETE('/auth/sessions/{id}', { params: { path: { id: device.id } } });
    if (error) return fail(error.detail);
    item.remove();
  };
  return item;
}

// A reload, or a new tab: back in from the refresh cookie (or another tab's token) when possible.
void session.restore().then((signedIn) => (signedIn ? showTodos() : showSignIn()));
