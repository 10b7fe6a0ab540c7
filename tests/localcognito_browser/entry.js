// Test-only bundle: amazon-cognito-identity-js (the library Amplify's Auth is built on), exposed
// to the page as `window.localcognito` with promise helpers the browser test calls through
// Playwright. Each helper resolves {ok: true, value} or {ok: false, error: {code, name, message}}
// so a refusal from the provider reaches the test as data (which also proves the browser could
// read the error reply, i.e. CORS headers were on it).
import {
	AuthenticationDetails,
	CognitoUser,
	CognitoUserAttribute,
	CognitoUserPool,
} from 'amazon-cognito-identity-js';

const users = new Map(); // email -> the CognitoUser that signed in

function pool(cfg) {
	return new CognitoUserPool({ UserPoolId: cfg.userPoolId, ClientId: cfg.clientId, endpoint: cfg.endpoint });
}

function user(cfg, email) {
	return users.get(email) || new CognitoUser({ Username: email, Pool: pool(cfg) });
}

function outcome(executor) {
	return new Promise(executor).then(
		value => ({ ok: true, value }),
		error => ({ ok: false, error: { code: error.code || error.name, name: error.name, message: error.message } })
	);
}

window.localcognito = {
	signUp(cfg, email, password, name) {
		const attributes = [new CognitoUserAttribute({ Name: 'name', Value: name })];
		return outcome((resolve, reject) =>
			pool(cfg).signUp(email, password, attributes, null, (err, result) =>
				err ? reject(err) : resolve({ userSub: result.userSub, userConfirmed: result.userConfirmed })
			)
		);
	},

	confirmSignUp(cfg, email, code) {
		return outcome((resolve, reject) =>
			user(cfg, email).confirmRegistration(code, true, (err, result) => (err ? reject(err) : resolve(result)))
		);
	},

	// USER_SRP_AUTH: the library's default flow; its own SRP-6a client in JavaScript.
	signIn(cfg, email, password) {
		const cognitoUser = new CognitoUser({ Username: email, Pool: pool(cfg) });
		const details = new AuthenticationDetails({ Username: email, Password: password });
		return outcome((resolve, reject) =>
			cognitoUser.authenticateUser(details, {
				onSuccess(session) {
					users.set(email, cognitoUser);
					resolve({
						flow: cognitoUser.getAuthenticationFlowType(),
						idClaims: session.getIdToken().decodePayload(),
						accessClaims: session.getAccessToken().decodePayload(),
						hasRefreshToken: Boolean(session.getRefreshToken().getToken()),
						valid: session.isValid(),
					});
				},
				onFailure: reject,
				newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
				mfaRequired: () => reject(new Error('unexpected MFA challenge')),
				customChallenge: () => reject(new Error('unexpected custom challenge')),
			})
		);
	},

	// GetUser, with the access token of the last sign-in of `email`.
	getUserAttributes(cfg, email) {
		return outcome((resolve, reject) =>
			user(cfg, email).getUserAttributes((err, attributes) =>
				err ? reject(err) : resolve(Object.fromEntries(attributes.map(a => [a.getName(), a.getValue()])))
			)
		);
	},

	// REFRESH_TOKEN_AUTH with the refresh token of the last sign-in of `email`.
	refreshSession(cfg, email) {
		const cognitoUser = user(cfg, email);
		const refreshToken = cognitoUser.getSignInUserSession().getRefreshToken();
		return outcome((resolve, reject) =>
			cognitoUser.refreshSession(refreshToken, (err, session) =>
				err ? reject(err) : resolve({ idClaims: session.getIdToken().decodePayload(), valid: session.isValid() })
			)
		);
	},

	globalSignOut(cfg, email) {
		return outcome((resolve, reject) =>
			user(cfg, email).globalSignOut({ onSuccess: resolve, onFailure: reject })
		);
	},

	forgotPassword(cfg, email) {
		return outcome((resolve, reject) =>
			user(cfg, email).forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve })
		);
	},

	confirmPassword(cfg, email, code, newPassword) {
		return outcome((resolve, reject) =>
			user(cfg, email).confirmPassword(code, newPassword, { onSuccess: resolve, onFailure: reject })
		);
	},
};
