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
const challenged = new Map(); // email -> the CognitoUser waiting for its TOTP code

function pool(cfg) {
	return new CognitoUserPool({ UserPoolId: cfg.userPoolId, ClientId: cfg.clientId, endpoint: cfg.endpoint });
}

function user(cfg, email) {
	return users.get(email) || new CognitoUser({ Username: email, Pool: pool(cfg) });
}

// What a test checks of a signed-in session; `confirmationNecessary` is ConfirmDevice's
// UserConfirmationNecessary, which the library hands to onSuccess after confirming a new device.
function signedIn(email, cognitoUser, session, confirmationNecessary) {
	users.set(email, cognitoUser);
	return {
		flow: cognitoUser.getAuthenticationFlowType(),
		idClaims: session.getIdToken().decodePayload(),
		accessClaims: session.getAccessToken().decodePayload(),
		hasRefreshToken: Boolean(session.getRefreshToken().getToken()),
		valid: session.isValid(),
		confirmationNecessary: Boolean(confirmationNecessary),
	};
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

	// USER_SRP_AUTH: the library's default flow; its own SRP-6a client in JavaScript (and, for a
	// device it remembers in localStorage, its device SRP). A TOTP challenge resolves as
	// {challenge, parameters}; sendMFACode answers it.
	signIn(cfg, email, password) {
		const cognitoUser = new CognitoUser({ Username: email, Pool: pool(cfg) });
		const details = new AuthenticationDetails({ Username: email, Password: password });
		return outcome((resolve, reject) =>
			cognitoUser.authenticateUser(details, {
				onSuccess: (session, necessary) => resolve(signedIn(email, cognitoUser, session, necessary)),
				onFailure: reject,
				totpRequired(challenge, parameters) {
					challenged.set(email, cognitoUser);
					resolve({ challenge, parameters });
				},
				newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
				mfaRequired: () => reject(new Error('unexpected SMS MFA challenge')),
				customChallenge: () => reject(new Error('unexpected custom challenge')),
			})
		);
	},

	// RespondToAuthChallenge(SOFTWARE_TOKEN_MFA) for the sign-in signIn left waiting; a wrong code
	// leaves it waiting, as the library keeps the Session.
	sendMFACode(cfg, email, code) {
		const cognitoUser = challenged.get(email);
		return outcome((resolve, reject) =>
			cognitoUser.sendMFACode(
				code,
				{
					onSuccess: (session, necessary) => resolve(signedIn(email, cognitoUser, session, necessary)),
					onFailure: reject,
				},
				'SOFTWARE_TOKEN_MFA'
			)
		);
	},

	associateSoftwareToken(cfg, email) {
		return outcome((resolve, reject) =>
			user(cfg, email).associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject })
		);
	},

	verifySoftwareToken(cfg, email, code, friendlyName) {
		return outcome((resolve, reject) =>
			user(cfg, email).verifySoftwareToken(code, friendlyName, { onSuccess: resolve, onFailure: reject })
		);
	},

	setTotpPreferred(cfg, email) {
		return outcome((resolve, reject) =>
			user(cfg, email).setUserMfaPreference(null, { Enabled: true, PreferredMfa: true }, (err, result) =>
				err ? reject(err) : resolve(result)
			)
		);
	},

	// The device the library remembers for the last sign-in of `email` (its own DeviceKey).
	getDevice(cfg, email) {
		return outcome((resolve, reject) =>
			user(cfg, email).getDevice({ onSuccess: data => resolve(data.Device), onFailure: reject })
		);
	},

	setDeviceStatusRemembered(cfg, email) {
		return outcome((resolve, reject) =>
			user(cfg, email).setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject })
		);
	},

	forgetDevice(cfg, email) {
		return outcome((resolve, reject) => user(cfg, email).forgetDevice({ onSuccess: resolve, onFailure: reject }));
	},

	listDevices(cfg, email) {
		return outcome((resolve, reject) =>
			user(cfg, email).listDevices(60, null, { onSuccess: data => resolve(data.Devices), onFailure: reject })
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
