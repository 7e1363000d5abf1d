import { PrismaClient } from '../generated/prisma/client.js';

/**
 * DI token for the Prisma client of the open database. Only repositories inject it.
 * (An abstract class, so `constructor(private readonly prisma: PrismaService)` works.)
 */
export abstract class PrismaService extends PrismaClient {}
