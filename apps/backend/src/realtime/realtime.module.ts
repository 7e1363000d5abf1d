import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ChangesModule } from '../changes/changes.module.js';
import { ChangeNotifications } from './change-notifications.js';
import { ChangePumps } from './change-pumps.js';
import { SocketSlots } from './socket-slots.js';
import { TasksGateway } from './tasks.gateway.js';

/**
 * Live delivery: the `/tasks` gateway (handshake through the auth module's verifier, per-user socket
 * limit shared through Redis, start position in the change feed), the change pumps that send each socket the changes it
 * lacks, and what wakes them (domain events, PostgreSQL notifications, a sweep). Features never
 * import it; they emit domain events.
 */
@Module({
  imports: [AuthModule, ChangesModule],
  providers: [TasksGateway, ChangePumps, ChangeNotifications, SocketSlots],
})
export class RealtimeModule {}
