package dev.leasehold.lock.spring;

import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.RetryOptions;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.common.CompositeStringExpression;
import org.springframework.expression.common.TemplateParserContext;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * One {@link Locked} method, checked and parsed once: its name template, what it does when the lock is held, and the
 * lock options that follow from its attributes.
 *
 * <p>This class is immutable and thread-safe.
 */
final class LockedMethod {

    private static final SpelExpressionParser PARSER = new SpelExpressionParser();
    private static final TemplateParserContext TEMPLATE = new TemplateParserContext();
    private static final Pattern POSITIONAL = Pattern.compile("[pa](\\d+)");
    private static final Pattern BARE_NUMBER = Pattern.compile("\\s*[+-]?\\d+\\s*");

    private final Method method;
    private final String template;
    private final Expression name;
    private final Locked.OnHeld onHeld;
    private final LockOptions options;
    private final Object skipValue;
    private final ParameterNameDiscoverer parameterNames;

    private LockedMethod(
            Method method,
            String template,
            Expression name,
            Locked.OnHeld onHeld,
            LockOptions options,
            Object skipValue,
            ParameterNameDiscoverer parameterNames) {
        this.method = method;
        this.template = template;
        this.name = name;
        this.onHeld = onHeld;
        this.options = options;
        this.skipValue = skipValue;
        this.parameterNames = parameterNames;
    }

    /**
     * Checks and parses {@code method}'s annotation.
     *
     * @param waitDelay the delay between tries of a {@link Locked.OnHeld#WAIT} call with a {@code maxWait}
     * @throws IllegalArgumentException naming the method, the attribute and what to do, if the annotation is invalid
     */
    static LockedMethod parse(
            Method method, Locked locked, Duration waitDelay, ParameterNameDiscoverer parameterNames) {
        String where = describe(method);
        Expression expression;
        try {
            expression = PARSER.parseExpression(locked.name(), TEMPLATE);
        } catch (ParseException e) {
            throw new IllegalArgumentException("@Locked(name = \"" + locked.name() + "\") on " + where
                    + " cannot be parsed: " + e.getMessage()
                    + "; write literal text with SpEL in #{...}, such as \"invoice-#{#invoice.id}\"");
        }
        checkVariables(method, locked.name(), expression, parameterNames, where);
        if (locked.name().isBlank()) {
            throw new IllegalArgumentException("@Locked(name = \"\") on " + where + " is blank: give the lock a name");
        }

        LockOptions.Builder options = LockOptions.builder();
        Optional<Duration> leaseTime = duration(locked.leaseTime(), "leaseTime", where);
        leaseTime.ifPresent(t -> checkLeaseTime(t, locked, where));
        leaseTime.ifPresent(options::leaseTime);
        if (locked.fixedTerm()) {
            options.fixedTerm();
        }
        Optional<Duration> minHold = duration(locked.minHold(), "minHold", where);
        try {
            minHold.ifPresent(options::minHold);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "@Locked(minHold = \"" + locked.minHold() + "\") on " + where + ": " + e.getMessage());
        }
        Optional<Duration> maxWait = duration(locked.maxWait(), "maxWait", where);
        if (locked.onHeld() == Locked.OnHeld.WAIT) {
            maxWait.ifPresent(w -> options.retry(RetryOptions.waitUpTo(w, waitDelay)));
        } else {
            if (maxWait.isPresent()) {
                throw new IllegalArgumentException("@Locked(maxWait = \"" + locked.maxWait() + "\") on " + where
                        + " needs onHeld = WAIT; with " + locked.onHeld() + " the call never waits: remove maxWait");
            }
            options.retry(RetryOptions.none());
        }
        LockOptions built;
        try {
            built = options.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("@Locked on " + where + ": " + e.getMessage());
        }

        Class<?> returnType = method.getReturnType();
        if (locked.onHeld() == Locked.OnHeld.SKIP && returnType.isPrimitive() && returnType != void.class) {
            throw new IllegalArgumentException("@Locked(onHeld = SKIP) on " + where + " cannot skip a method returning "
                    + returnType + ": return a wrapper type or Optional (a skipped call returns null or"
                    + " Optional.empty()), or use FAIL or WAIT");
        }
        Object skipValue = returnType == Optional.class ? Optional.empty() : null;
        return new LockedMethod(method, locked.name(), expression, locked.onHeld(), built, skipValue, parameterNames);
    }

    /**
     * Checks {@code leaseTime} with the annotation's {@code fixedTerm}, so that the message names the attributes: a lease
     * too long to be renewed is pointed at {@code fixedTerm = true} when a fixed term would take it.
     */
    private static void checkLeaseTime(Duration leaseTime, Locked locked, String where) {
        String attributes = "@Locked(leaseTime = \"" + locked.leaseTime() + "\""
                + (locked.fixedTerm() ? ", fixedTerm = true" : "") + ") on " + where + ": ";
        LockOptions.Builder asGiven = LockOptions.builder().leaseTime(leaseTime);
        if (locked.fixedTerm()) {
            asGiven.fixedTerm();
        }
        try {
            asGiven.build();
        } catch (IllegalArgumentException e) {
            if (!locked.fixedTerm() && fitsFixedTerm(leaseTime)) {
                throw new IllegalArgumentException(attributes + e.getMessage()
                        + "; here: set fixedTerm = true, so that the lease ends at its term instead of being renewed");
            }
            throw new IllegalArgumentException(attributes + e.getMessage());
        }
    }

    private static boolean fitsFixedTerm(Duration leaseTime) {
        try {
            LockOptions.builder().leaseTime(leaseTime).fixedTerm().build();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The lock name for a call with these arguments. */
    String lockName(Object target, Object[] arguments, BeanFactory beanFactory) {
        MethodBasedEvaluationContext context =
                new MethodBasedEvaluationContext(target, method, arguments, parameterNames);
        if (beanFactory != null) {
            context.setBeanResolver(new BeanFactoryResolver(beanFactory));
        }
        String value = name.getValue(context, String.class);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("@Locked(name = \"" + template + "\") on " + describe(method)
                    + " gave the lock name \"" + value + "\" for the arguments " + Arrays.deepToString(arguments)
                    + ": a lock name must not be blank");
        }
        return value;
    }

    Locked.OnHeld onHeld() {
        return onHeld;
    }

    LockOptions options() {
        return options;
    }

    /** What a skipped call returns: {@code Optional.empty()} for an {@code Optional} method, otherwise null. */
    Object skipValue() {
        return skipValue;
    }

    String template() {
        return template;
    }

    Method method() {
        return method;
    }

    /** {@code Class.method(Type, Type)}, for messages. */
    static String describe(Method method) {
        List<String> types = new ArrayList<>();
        for (Class<?> t : method.getParameterTypes()) {
            types.add(t.getSimpleName());
        }
        return method.getDeclaringClass().getName() + "." + method.getName() + "(" + String.join(", ", types) + ")";
    }

    /** Refuses a variable that is neither a parameter (by name or position) nor one SpEL defines. */
    private static void checkVariables(
            Method method, String template, Expression expression, ParameterNameDiscoverer discoverer, String where) {
        String[] names = discoverer.getParameterNames(method);
        List<String> variables = new ArrayList<>();
        collectVariables(expression, variables);
        int count = method.getParameterCount();
        for (String variable : variables) {
            if (variable.equals("root") || variable.equals("this")) {
                continue;
            }
            var positional = POSITIONAL.matcher(variable);
            if (positional.matches()) {
                if (Integer.parseInt(positional.group(1)) < count) {
                    continue;
                }
                throw new IllegalArgumentException("@Locked(name = \"" + template + "\") on " + where + " refers to #"
                        + variable + ", but the method has " + count + " parameter(s)");
            }
            if (names != null && Arrays.asList(names).contains(variable)) {
                continue;
            }
            if (names == null && count > 0) {
                throw new IllegalArgumentException("@Locked(name = \"" + template + "\") on " + where + " refers to #"
                        + variable + ", but the parameter names of the method are not known: compile with"
                        + " -parameters, or refer to arguments by position (#p0, #a0)");
            }
            throw new IllegalArgumentException("@Locked(name = \"" + template + "\") on " + where + " refers to #"
                    + variable + ", which is not a parameter of the method; its parameters are "
                    + (names == null ? "none" : new TreeSet<>(Arrays.asList(names)))
                    + " (or #p0, #a0, ... by position)");
        }
    }

    private static void collectVariables(Expression expression, List<String> into) {
        if (expression instanceof CompositeStringExpression composite) {
            for (Expression part : composite.getExpressions()) {
                collectVariables(part, into);
            }
        } else if (expression instanceof SpelExpression spel) {
            collectVariables(spel.getAST(), into);
        }
    }

    private static void collectVariables(SpelNode node, List<String> into) {
        if (node instanceof VariableReference) {
            into.add(node.toStringAST().substring(1));
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            collectVariables(node.getChild(i), into);
        }
    }

    /**
     * An attribute's duration: empty when blank; a number needs a unit, as everywhere in Leasehold, since milliseconds
     * and seconds are both plausible.
     */
    private static Optional<Duration> duration(String value, String attribute, String where) {
        if (value.isBlank()) {
            return Optional.empty();
        }
        String hint = "write it with a unit (500ms, 10s, 2m) or as ISO-8601 (PT10S)";
        if (BARE_NUMBER.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "@Locked(" + attribute + " = \"" + value + "\") on " + where + " has no unit: " + hint);
        }
        Duration d;
        try {
            d = DurationStyle.detectAndParse(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "@Locked(" + attribute + " = \"" + value + "\") on " + where + " is not a duration: " + hint);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(
                    "@Locked(" + attribute + " = \"" + value + "\") on " + where + " is negative: " + hint);
        }
        return Optional.of(d);
    }
}
