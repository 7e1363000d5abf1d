import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { TasksGateway } from './tasks.gateway.js';

/**
 * Live delivery: the `/tasks` gateway (handshake through the auth module's verifier, per-user socket
 * limit, recovery bounds) and the domain-event handlers that reach sockets. Features never import it;
 * they emit domain events.
 */
@Module({
  imports: [AuthModule],
  providers: [TasksGateway],
})
export class RealtimeModule {}
