package dev.leasehold.examples.scheduled;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A Spring Boot application whose scheduled jobs run under Leasehold locks: start two instances on one database and
 * each job run and each invoice happens on one of them only.
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(ExampleProperties.class)
public class ExampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }
}
