/**
 * The Conveyor worker service: runs report jobs ({@code report}) and delivers their outcome to the
 * API as signed callbacks ({@code callback}). It serves only actuator over HTTP, and never migrates
 * the database: queue-core's runtime refuses to start on a schema it does not know. Packaged by
 * feature; types are package-private unless another feature needs them.
 */
@NullMarked
package dev.conveyor.worker;

import org.jspecify.annotations.NullMarked;
