package dev.conveyor.examples.campaign;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Sends campaigns of messages through the queue; see the module's README. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CampaignApplication {

  public static void main(String[] args) {
    SpringApplication.run(CampaignApplication.class, args);
  }
}
