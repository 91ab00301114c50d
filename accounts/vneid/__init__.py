"""Login with the national identity (VNeID) over OpenID Connect: the portal is the client."""
