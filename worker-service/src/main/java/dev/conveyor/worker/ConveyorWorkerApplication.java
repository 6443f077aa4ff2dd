package dev.conveyor.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts the worker service. queue-core's auto-configuration starts a worker runtime for the {@link
 * dev.conveyor.queue.JobHandler} beans found here, after checking the queue schema.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ConveyorWorkerApplication {

  public static void main(String[] args) {
    SpringApplication.run(ConveyorWorkerApplication.class, args);
  }
}
