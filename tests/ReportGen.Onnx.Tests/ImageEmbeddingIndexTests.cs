namespace ReportGen.Onnx.Tests;

public class ImageEmbeddingIndexTests
{
    [Fact]
    public void Finds_the_most_similar_by_cosine_best_first()
    {
        var index = new ImageEmbeddingIndex(3);
        index.Add("x", [1, 0, 0]);
        index.Add("y", [0, 1, 0]);
        index.Add("xy", [1, 1, 0]);
        index.Add("far", [-1, 0, 0]);
        var hits = index.Search([10, 1, 0], 3);
        hits.Select(h => h.Id).ShouldBe(["x", "xy", "y"]);
        hits[0].Score.ShouldBe((float)(10 / Math.Sqrt(101)), 1e-5f);
        hits[1].Score.ShouldBe((float)(11 / Math.Sqrt(101) / Math.Sqrt(2)), 1e-5f);
        index.Search([1, 0, 0], int.MaxValue).Count.ShouldBe(4);
        index.Search([1, 0, 0], 10)[^1].Id.ShouldBe("far");
    }

    [Fact]
    public void Replace_and_remove_keep_the_index_consistent()
    {
        var index = new ImageEmbeddingIndex(2);
        index.Add("a", [1, 0]);
        index.Add("b", [0, 1]);
        index.Add("c", [1, 1]);
        index.Add("a", [0, 1]); // replace
        index.Count.ShouldBe(3);
        index.Remove("b").ShouldBeTrue();
        index.Remove("b").ShouldBeFalse();
        index.Count.ShouldBe(2);
        index.Search([0, 1], 1).Single().ShouldBe(new ImageMatch("a", 1f));
        index.Search([1, 0], 1).Single().Id.ShouldBe("c");
    }

    [Fact]
    public void Bad_vectors_are_rejected()
    {
        var index = new ImageEmbeddingIndex(2);
        Should.Throw<ArgumentException>(() => index.Add("a", [1, 2, 3])).Message.ShouldContain("3 values");
        Should.Throw<ArgumentException>(() => index.Add("a", [0, 0])).Message.ShouldContain("zeros");
        Should.Throw<ArgumentException>(() => index.Add("a", [float.NaN, 1])).Message.ShouldContain("non-finite");
        Should.Throw<ArgumentException>(() => index.Search([1], 1));
    }

    [Fact]
    public void Concurrent_adds_and_searches_are_safe()
    {
        var index = new ImageEmbeddingIndex(16);
        var rng = new Random(7);
        var vectors = Enumerable.Range(0, 400).Select(_ => Enumerable.Range(0, 16).Select(_ => (float)rng.NextDouble() + 0.01f).ToArray()).ToArray();
        Parallel.For(0, vectors.Length, i =>
        {
            index.Add($"v{i}", vectors[i]);
            index.Search(vectors[i], 5).Count.ShouldBeGreaterThan(0);
        });
        index.Count.ShouldBe(400);
        for (var i = 0; i < 400; i += 37) index.Search(vectors[i], 1)[0].Id.ShouldBe($"v{i}");
    }
}
