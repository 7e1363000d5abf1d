import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  authResponseSchema,
  userSchema,
  type AuthResponse,
  type LoginInput,
  loginSchema,
  type RegisterInput,
  registerSchema,
  type User,
} from '@tasks/schemas';
import type { AuthUser } from './auth-user.js';
import { type AuthClient, Client } from './auth-client.decorator.js';
import { AuthService } from './auth.service.js';
import { CurrentUser } from './current-user.decorator.js';
import { Public } from './public.decorator.js';
import { ApiProblems } from '../common/openapi/api-problems.decorator.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiCreatedResponse({ description: 'Registered and signed in', standardSchema: authResponseSchema })
  @ApiProblems(400, 409, 429, 503)
  @HttpCode(201)
  register(@Body({ schema: registerSchema }) body: RegisterInput, @Client() client: AuthClient): Promise<AuthResponse> {
    return this.auth.register(body, client);
  }

  @Public()
  @Post('login')
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ description: 'Signed in', standardSchema: authResponseSchema })
  @ApiProblems(400, 401, 429, 503)
  @HttpCode(200)
  login(@Body({ schema: loginSchema }) body: LoginInput, @Client() client: AuthClient): Promise<AuthResponse> {
    return this.auth.login(body, client);
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiBearerAuth('bearer')
  @ApiOkResponse({ description: 'The signed-in user', standardSchema: userSchema })
  @ApiProblems(401)
  me(@CurrentUser() user: AuthUser): Promise<User> {
    return this.auth.me(user);
  }

  @Post('logout')
  @ApiOperation({ summary: 'Sign out: revoke the presented access token' })
  @ApiBearerAuth('bearer')
  @ApiNoContentResponse({ description: 'The presented token no longer works' })
  @ApiProblems(401)
  @HttpCode(204)
  logout(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logout(user);
  }
}
