/**
 * Told after a logout has revoked a token, e.g. so the realtime gateway can drop that token's sockets.
 * Optional: provide it from any module (`{ provide: TokenRevocationListener, useExisting: … }`);
 * AuthService looks it up across the application once it has started.
 */
export abstract class TokenRevocationListener {
  abstract tokenRevoked(userId: string, jti: string): void;
}
