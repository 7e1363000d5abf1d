import { Module } from '@nestjs/common';
import { ChangesController } from './changes.controller.js';
import { ChangesPruner } from './changes-pruner.js';
import { ChangesRepository } from './changes.repository.js';
import { ChangesService } from './changes.service.js';

/** The change feed's reads and retention; the writes are recorded inside the tasks' transactions. */
@Module({
  controllers: [ChangesController],
  providers: [ChangesService, ChangesRepository, ChangesPruner],
  exports: [ChangesService],
})
export class ChangesModule {}
