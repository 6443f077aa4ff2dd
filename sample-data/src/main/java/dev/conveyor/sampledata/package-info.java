/**
 * Deterministic sample data for Conveyor: a New York-style voter registry (voters, county committee
 * seats, absentee applications) loaded with {@code COPY}, and voter files in the {@code
 * voterImport} input format. The same size and seed always give the same data. Entry points: {@link
 * dev.conveyor.sampledata.SampleRegistry} (library) and {@link
 * dev.conveyor.sampledata.SampleDataCommand} (command line).
 */
@NullMarked
package dev.conveyor.sampledata;

import org.jspecify.annotations.NullMarked;
