package dev.memoria.cli;

/** A recursive-descent evaluator for + - * / ^ and parentheses, for {@link CalculatorAgent}. */
final class Arithmetic {
    private final String s;
    private int pos;

    private Arithmetic(String s) {
        this.s = s.replace(" ", "");
    }

    /** @return a Long when the result is integral and fits, a Double otherwise */
    static Object evaluate(String expression) {
        Arithmetic a = new Arithmetic(expression);
        double value = a.sum();
        if (a.pos != a.s.length()) {
            throw new IllegalArgumentException("unexpected '" + a.s.charAt(a.pos) + "' at position " + a.pos);
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new ArithmeticException("the result is not a finite number");
        }
        if (value == Math.rint(value) && Math.abs(value) < 9.0e15) {
            return (long) value;
        }
        return value;
    }

    private double sum() {
        double v = product();
        while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
            char op = s.charAt(pos++);
            double r = product();
            v = op == '+' ? v + r : v - r;
        }
        return v;
    }

    private double product() {
        double v = power();
        while (pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/')) {
            char op = s.charAt(pos++);
            double r = power();
            if (op == '/' && r == 0) {
                throw new ArithmeticException("division by zero");
            }
            v = op == '*' ? v * r : v / r;
        }
        return v;
    }

    private double power() {
        double base = unary();
        if (pos < s.length() && s.charAt(pos) == '^') {
            pos++;
            return Math.pow(base, power());
        }
        return base;
    }

    private double unary() {
        if (pos < s.length() && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
            return s.charAt(pos++) == '-' ? -unary() : unary();
        }
        if (pos < s.length() && s.charAt(pos) == '(') {
            pos++;
            double v = sum();
            if (pos >= s.length() || s.charAt(pos) != ')') {
                throw new IllegalArgumentException("missing ')'");
            }
            pos++;
            return v;
        }
        int start = pos;
        while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
            pos++;
        }
        if (start == pos) {
            throw new IllegalArgumentException(pos < s.length() ? "unexpected '" + s.charAt(pos) + "'" : "missing a number at the end");
        }
        return Double.parseDouble(s.substring(start, pos));
    }
}
