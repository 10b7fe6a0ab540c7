// A development OpenID provider (npm's certified oidc-provider) to federate localcognito with,
// offline: one client, a few seeded accounts, and oidc-provider's own dev login and consent pages
// (the login is the account's sub; any password). Configured by one JSON argument:
//   OIDC_PROVIDER_MODULE=file:///<checkout>/.tools/node_modules/oidc-provider/lib/index.js \
//   node server.mjs '{"port": 0, "client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
//     "accounts": [{"sub": "alice", "email": "alice@example.com", "email_verified": true, "name": "Alice"}]}'
// Prints {"issuer": "http://127.0.0.1:<port>"} on one line once it listens; stops on SIGTERM.
// tests/support/oidc_provider.py starts and stops it.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";

// oidc-provider is installed in the project's .tools (scripts/setup.sh), off this file's module
// path: the launcher (tests/support/oidc_provider.py) names its entry point.
const { default: Provider } = await import(process.env.OIDC_PROVIDER_MODULE ?? "oidc-provider");

const settings = JSON.parse(process.argv[2] ?? "{}");
const accounts = new Map((settings.accounts ?? []).map((account) => [account.sub, account]));

const server = createServer();
await new Promise((resolve) => server.listen(settings.port ?? 0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

// A fresh signing key per run: nothing is kept, and no key is shipped in the repository.
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: settings.client_id,
      client_secret: settings.client_secret,
      redirect_uris: settings.redirect_uris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "dev", use: "sig", alg: "RS256" }] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  cookies: { keys: [settings.client_secret ?? "dev-oidc"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined; // an unknown login is refused at consent
    return { accountId: sub, async claims() { return { ...account, sub }; } };
  },
});
server.on("request", provider.callback());
console.log(JSON.stringify({ issuer }));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
