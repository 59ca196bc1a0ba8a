using System.Linq.Expressions;

namespace Fhir.Phr.Core.Search;

/// <summary>Combines lambda predicates over one parameter into AND / OR, for EF Core to translate.</summary>
internal static class ExpressionCombiner
{
    public static Expression<Func<T, bool>> Or<T>(IEnumerable<Expression<Func<T, bool>>> predicates) =>
        Combine(predicates, Expression.OrElse, false);

    public static Expression<Func<T, bool>> And<T>(IEnumerable<Expression<Func<T, bool>>> predicates) =>
        Combine(predicates, Expression.AndAlso, true);

    public static Expression<Func<T, bool>> Not<T>(Expression<Func<T, bool>> predicate) =>
        Expression.Lambda<Func<T, bool>>(Expression.Not(predicate.Body), predicate.Parameters);

    private static Expression<Func<T, bool>> Combine<T>(IEnumerable<Expression<Func<T, bool>>> predicates, Func<Expression, Expression, BinaryExpression> join, bool empty)
    {
        var parameter = Expression.Parameter(typeof(T), "x");
        Expression? body = null;
        foreach (var predicate in predicates)
        {
            var rebound = new Rebinder(predicate.Parameters[0], parameter).Visit(predicate.Body);
            body = body is null ? rebound : join(body, rebound);
        }
        return Expression.Lambda<Func<T, bool>>(body ?? Expression.Constant(empty), parameter);
    }

    private sealed class Rebinder(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
