Console.WriteLine("saliency");
