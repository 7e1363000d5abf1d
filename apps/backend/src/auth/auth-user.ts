/** The authenticated caller, as the JWT guard attaches it to the request. */
export interface AuthUser {
  readonly id: string;
  readonly email: string;
  /** `jti` of the presented token, so logout can revoke exactly it. */
  readonly tokenId: string;
  readonly tokenExpiresAt: Date;
}
