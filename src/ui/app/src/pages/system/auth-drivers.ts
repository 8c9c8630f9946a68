/** The auth drivers a user may have (oned.conf's AUTH_MAD list of a standard install). */
export const AUTH_DRIVERS = ['core', 'public', 'ssh', 'x509', 'ldap', 'server_cipher', 'server_x509'];
/** Drivers whose users log in with a password kept by oned (the form asks for one). */
export const PASSWORD_DRIVERS = new Set(['core', 'ldap', 'server_cipher']);
