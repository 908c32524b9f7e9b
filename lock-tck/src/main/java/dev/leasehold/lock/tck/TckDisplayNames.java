package dev.leasehold.lock.tck;

import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGenerator;

/**
 * Names each suite of a TCK run after the backend's test class ({@code PostgresTckTest / Release}), so that reports
 * of several backends in one build do not mix.
 */
public final class TckDisplayNames extends DisplayNameGenerator.Standard {

    @Override
    public String generateDisplayNameForNestedClass(List<Class<?>> enclosingInstanceTypes, Class<?> nestedClass) {
        if (enclosingInstanceTypes.isEmpty()) {
            return super.generateDisplayNameForNestedClass(enclosingInstanceTypes, nestedClass);
        }
        Class<?> backend = enclosingInstanceTypes.get(enclosingInstanceTypes.size() - 1);
        return backend.getSimpleName() + " / " + nestedClass.getSimpleName();
    }

    @Override
    public String generateDisplayNameForMethod(
            List<Class<?>> enclosingInstanceTypes, Class<?> testClass, Method testMethod) {
        return testMethod.getName();
    }
}
