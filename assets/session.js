// The page's side of the session cookie. The page never sees the cookie: after a sign-in it
// hands the backend a one-time ticket and gets the HttpOnly cookie in the answer; at sign-out
// it asks the backend to clear it. Either way it tells this browser's other tabs to look
// again: they reload, and their new connections carry the cookie as it now is. The marker in
// localStorage is a time, never a secret.
(() => {
  const MARKER = "cruddur_signed_in_at";
  const backend = () =>
    (document.querySelector('meta[name="cruddur-backend"]')?.content || window.location.origin).replace(/\/$/, "");

  // The HttpOnly device cookie must be in the browser before the page's websocket opens (a
  // sign-in ticket is redeemable only with it). The backend sets it with the pages it serves;
  // where another server served this one (the dev server), ask for it now, before the app's
  // scripts run — hence synchronously, and only when the readable marker says it is missing.
  if (!document.cookie.split("; ").some((c) => c.startsWith("cruddur_browser_set="))) {
    try {
      const hello = new XMLHttpRequest();
      hello.open("POST", backend() + "/_session/hello", false);
      hello.withCredentials = true;
      hello.send();
    } catch (e) {
      console.warn("cruddur: no device cookie yet; signing in will ask for a reload", e);
    }
  }

  const post = (path, body) =>
    fetch(backend() + path, {
      method: "POST",
      credentials: "include",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });

  const tellOtherTabs = () => localStorage.setItem(MARKER, String(Date.now()));

  window.cruddurSession = {
    async adopt(ticket) {
      const answer = await post("/_session/adopt", { ticket });
      if (answer.ok) tellOtherTabs();
      return answer.ok;
    },
    async forget(then) {
      await post("/_session/end");
      tellOtherTabs();
      // Then, where federated sign-in is on, through managed login's sign-out (its own session).
      if (then) window.location.assign(then);
    },
  };

  window.addEventListener("storage", (event) => {
    if (event.key === MARKER) window.location.reload();
  });
})();
